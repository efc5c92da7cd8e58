using System.Linq;
using DslLosses.Generator;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The TorchSharp entry points: emitted only when the compilation references DslLosses.TorchSharp (detected from its
/// references, a cached bool), and left alone by unrelated edits. Their numbers are tested in DslLosses.TorchSharp.Tests.
/// </summary>
public class GeneratorTorchSharpTests
{
    private const string Formulas = GeneratorHarness.Usings + """
        namespace N;
        public static partial class L
        {
            [Loss] static TensorExpr Bce([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p, Scalar gamma)
                => Mean(-(y * Log(Clip(p, Epsilon, 1 - Epsilon)) + (1 - y) * Log(1 - Clip(p, Epsilon, 1 - Epsilon))), -1);
            [Loss] static TensorExpr Nll([Shape("B", "C")] TensorExpr logits, [Shape("B")] Indices labels)
                => LogSumExp(logits, axis: -1) - Gather(logits, labels, axis: -1);
            [Loss] static TensorExpr Se([Shape("...")] TensorExpr y, [Shape("...")] TensorExpr p) => Square(y - p);
            [Loss] static TensorExpr Three([Shape("B", "N")] TensorExpr a, [Shape("B", "N")] TensorExpr b, [Differentiable, Shape("B", "N")] TensorExpr c) => Sum(a * b * c, axis: -1);
            [Loss] static TensorExpr Dice([Shape("B", "H", "W")] TensorExpr y, [Shape("B", "H", "W")] TensorExpr p) => 1 - 2 * Sum(y * p, axes: [1, 2]) / Sum(y + p, axes: [1, 2]);
            [Loss] static TensorExpr PosBce([Shape("B", "C")] TensorExpr y, [Differentiable, Shape("B", "C")] TensorExpr z, [Shape("C")] TensorExpr posWeight)
                => Mean(posWeight * y * Softplus(-z) + (1 - y) * Softplus(z), axis: -1);
            [Loss] static TensorExpr RowNll([Shape("B", "C")] TensorExpr logits, [Shape("B")] TensorExpr rowWeight, [Shape("B")] Indices labels)
                => rowWeight * (LogSumExp(logits, axis: -1) - Gather(logits, labels, axis: -1));
            [Loss] static TensorExpr Many([Shape("B", "N")] TensorExpr y, [Differentiable, Shape("B", "N")] TensorExpr p, [Shape("N")] TensorExpr a, [Shape("N")] TensorExpr b, [Shape("N")] TensorExpr c, [Shape("N")] TensorExpr d, [Shape("N")] TensorExpr e)
                => Mean(Square(y - p) * a * b * c * d * e, axis: -1);
            [Loss] static TensorExpr TwoIndices([Shape("B", "C")] TensorExpr logits, [Shape("B")] Indices first, [Shape("B")] Indices second)
                => LogSumExp(logits, axis: -1) - Gather(logits, first, axis: -1) - Gather(logits, second, axis: -1);
            [Loss] static TensorExpr Gauss([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr w, [Differentiable, Shape("B", "N")] TensorExpr m, [Differentiable, Shape("B", "N")] TensorExpr v)
                => Mean(w * (Log(v) + Square(y - m) / v), axis: -1);
            [Loss] static TensorExpr Pair([Differentiable, Shape("B", "N")] TensorExpr a, [Differentiable, Shape("B", "N")] TensorExpr b) => Mean(Square(a - b), axis: -1);
        }
        """;

    /// <summary>An empty assembly named like the bridge: all the generator looks at.</summary>
    private static MetadataReference Bridge()
        => CSharpCompilation.Create("DslLosses.TorchSharp", options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)).ToMetadataReference();

    private static string? TorchSource(GeneratorDriver driver)
        => driver.GetRunResult().GeneratedTrees.SingleOrDefault(t => t.FilePath.EndsWith(".TorchSharp.g.cs"))?.ToString();

    [Fact]
    public void Without_the_bridge_no_TorchSharp_entry_point_is_emitted()
    {
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compile(Formulas));
        Assert.Null(TorchSource(driver));
        Assert.Single(driver.GetRunResult().GeneratedTrees);
    }

    [Fact]
    public void With_the_bridge_each_formula_with_gradients_gets_an_entry_point()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Formulas).AddReferences(Bridge());
        string? source = TorchSource(GeneratorHarness.Driver().RunGenerators(compilation));
        Assert.NotNull(source);
        // labels and prediction in the formula's order; scalars as double; the options of the span entry points
        Assert.Contains("public static global::TorchSharp.torch.Tensor Bce(global::TorchSharp.torch.Tensor y, global::TorchSharp.torch.Tensor p, double gamma, global::DslLosses.Reduction reduction = global::DslLosses.Reduction.SumOverBatchSize, global::TorchSharp.torch.Tensor? sampleWeight = null)", source);
        Assert.Contains("=> global::DslLosses.TorchSharpLosses.Call(new __Bce_TorchKernels(gamma, reduction), y, p, sampleWeight);", source);
        Assert.Contains("=> BceGradient<float>(x.YTrue, x.YPred, (float)_gamma, gradient, Reduction, x.SampleWeight);", source);
        // integer labels are class indices, read as int
        Assert.Contains("base(\"Nll\", reduction, 1, classIndexLabels: true)", source);
        Assert.Contains("=> Nll<double>(x.YPred, x.ClassIndices, Reduction, x.SampleWeight);", source);
        // an elementwise loss keeps the prediction's shape: no per-sample axis
        Assert.Contains("base(\"Se\", reduction, null, classIndexLabels: false)", source);
        // three tensors, one differentiable: labels are the first other tensor, the rest extra tensors (constants to autograd)
        Assert.Contains("public static global::TorchSharp.torch.Tensor Three(global::TorchSharp.torch.Tensor a, global::TorchSharp.torch.Tensor b, global::TorchSharp.torch.Tensor c,", source);
        Assert.Contains("=> global::DslLosses.TorchSharpLosses.Call(new __Three_TorchKernels(reduction), a, c, sampleWeight, b);", source);
        Assert.Contains("=> ThreeGradient<float>(x.YTrue, x.Extra0, x.YPred, gradient, Reduction, x.SampleWeight);", source);
        Assert.Contains("private static readonly string[] __extraNames = { \"b\" };", source);
        Assert.Contains("base(\"Three\", reduction, 1, classIndexLabels: false, extraNames: __extraNames)", source);
        // a per-class vector
        Assert.Contains("=> global::DslLosses.TorchSharpLosses.Call(new __PosBce_TorchKernels(reduction), y, z, sampleWeight, posWeight);", source);
        Assert.Contains("=> PosBceWithGradient<double>(x.YTrue, x.YPred, x.Extra0, gradient, Reduction, x.SampleWeight);", source);
        // Indices are the labels wherever they stand; the other tensor is an extra one
        Assert.Contains("=> global::DslLosses.TorchSharpLosses.Call(new __RowNll_TorchKernels(reduction), labels, logits, sampleWeight, rowWeight);", source);
        Assert.Contains("=> RowNll<float>(x.YPred, x.Extra0, x.ClassIndices, Reduction, x.SampleWeight);", source);
        Assert.Contains("base(\"RowNll\", reduction, 1, classIndexLabels: true, extraNames: __extraNames)", source);
        // more extra tensors than the bridge passes, or two Indices: no entry point, and the reason
        Assert.Contains("// Many: no TorchSharp entry point: 5 tensors besides labels and the one differentiated by: the bridge passes at most 4.", source);
        Assert.DoesNotContain("Tensor Many(", source);
        Assert.Contains("// TwoIndices: no TorchSharp entry point: several Indices tensors: the bridge takes one, as the labels.", source);
        Assert.DoesNotContain("Tensor TwoIndices(", source);
        // several reduced axes: the bridge's per-sample losses drop one axis
        Assert.Contains("// Dice: no TorchSharp entry point: the bridge's per-sample losses drop one axis, and this formula reduces several.", source);
        // several differentiable tensors: the first is the prediction, the others differentiable extra tensors, first among the extras
        Assert.Contains("=> global::DslLosses.TorchSharpLosses.Call(new __Gauss_TorchKernels(reduction), y, m, sampleWeight, v, w);", source);
        Assert.Contains("base(\"Gauss\", reduction, 1, classIndexLabels: false, extraNames: __extraNames, differentiableExtras: 1)", source);
        Assert.Contains("public override double LossWithGradient(in global::DslLosses.TorchLossInputs<double> x, global::System.Numerics.Tensors.TensorSpan<double> gradient, in global::DslLosses.TorchExtraGradients<double> g)", source);
        Assert.Contains("=> GaussWithGradient<double>(x.YTrue, x.Extra1, x.YPred, x.Extra0, gradient, g.G0, Reduction, x.SampleWeight);", source);
        // two tensors, both differentiable: nothing to pass as the labels
        Assert.Contains("// Pair: no TorchSharp entry point: no tensor besides the differentiated ones to pass as the labels.", source);
        Assert.DoesNotContain("Tensor Pair(", source);
    }

    [Fact]
    public void An_unrelated_edit_re_emits_no_TorchSharp_entry_point()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Formulas, "public class Other { public int X => 1; }").AddReferences(Bridge());
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        SyntaxTree other = compilation.SyntaxTrees.Last();
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(other,
            CSharpSyntaxTree.ParseText("public class Other { public int X => 2; }", GeneratorHarness.ParseOptions, other.FilePath)));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Assert.All(result.TrackedSteps[LossGenerator.Steps.TorchSharp].SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Keyword_names_keep_their_at_sign_in_the_TorchSharp_entry_points()
    {
        const string source = GeneratorHarness.Usings + """
            namespace N;
            public static partial class L
            {
                [Loss] static TensorExpr @class([Shape("B", "N")] TensorExpr @int, [Shape("B", "N")] TensorExpr p, Scalar @double) => Mean(Square(@int - p) * @double, axis: -1);
            }
            """;
        string? torch = TorchSource(GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compile(source).AddReferences(Bridge())));
        Assert.NotNull(torch);
        Assert.Contains("public static global::TorchSharp.torch.Tensor @class(global::TorchSharp.torch.Tensor @int, global::TorchSharp.torch.Tensor p, double @double,", torch);
        Assert.Contains("(@double, reduction), @int, p, sampleWeight);", torch);
        Assert.Contains("=> @class<float>(", torch);
        Assert.DoesNotContain(" class(", torch);
    }
}
