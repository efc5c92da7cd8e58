using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using DslLosses.Analyzers;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace DslLosses.Tests.Analyzers;

public class ShapeAnalyzerTests
{
    private static Task Check(string markup) => Verify.Analyzer<ShapeAnalyzer>(markup);


    [Fact]
    public Task Keras_classic_B_against_B_by_1_is_an_error() => Check("""
        class C
        {
            float M(float[] labels, float[] probs)
            {
                var bce = new BinaryCrossentropy();
                return bce.Compute(NTensor.Create(labels, [4]), {|DSL0106:NTensor.Create(probs, [4, 1])|});
            }
        }
        """);

    [Fact]
    public Task Array_creations_with_constant_lengths_that_differ() => Check("""
        class C
        {
            const int Classes = 3;
            float M() => new CategoricalCrossentropy().Compute(new float[2, Classes], {|DSL0106:new float[2, 4]|});
        }
        """);

    [Fact]
    public Task Initializers_and_locals_assigned_once() => Check("""
        class C
        {
            float M()
            {
                var yTrue = new float[,] { { 0, 1 }, { 1, 0 } };
                var yPred = new float[,] { { 0.2f, 0.8f, 0f }, { 0.6f, 0.4f, 0f } };
                return new CategoricalCrossentropy().Compute(yTrue, {|DSL0106:yPred|});
            }
        }
        """);

    [Fact]
    public Task Bare_array_initializer_of_a_declared_local() => Check("""
        class C
        {
            float M()
            {
                float[,] labels = { { 0, 1, 1 }, { 1, 0, 0 } };
                float ok = new BinaryCrossentropy().Compute(labels, new float[2, 3]);
                return ok + new BinaryCrossentropy().Compute(labels, {|DSL0106:new float[3, 3]|});
            }
        }
        """);

    [Fact]
    public Task Collection_expressions_and_readonly_fields() => Check("""
        class C
        {
            private static readonly float[] Labels = [0f, 1f, 1f];
            Tensor<float> M()
            {
                float[] probs = [0.1f, 0.9f];
                return Losses.binary_crossentropy(Labels, {|DSL0106:probs|});
            }
        }
        """);

    [Fact]
    public Task Sparse_labels_with_another_batch_size() => Check("""
        class C
        {
            float M() => new SparseCategoricalCrossentropy().Compute({|DSL0106:new[] { 0, 1, 2 }|}, new float[,] { { 0.1f, 0.9f }, { 0.5f, 0.5f } });
        }
        """);

    [Fact]
    public Task Sparse_function_with_one_hot_labels() => Check("""
        class C
        {
            Tensor<float> M() => Losses.sparse_categorical_crossentropy({|DSL0106:new ReadOnlyTensorSpan<int>(new int[6], [2, 3], [])|}, NTensor.Create(new float[6], [2, 3]));
        }
        """);

    [Fact]
    public Task Sample_weights_that_do_not_broadcast() => Check("""
        class C
        {
            float M()
            {
                var bce = new BinaryCrossentropy(labelSmoothing: 0.1);
                return bce.Compute(new float[2, 3], new float[2, 3], {|DSL0106:new float[] { 1, 2, 3, 4, 5 }|});
            }
        }
        """);

    [Fact]
    public async Task Weight_message_lists_each_shape_that_fits_once()
    {
        // per-sample losses [4]: [B] and the loss shape are the same, [4], and must not be offered twice
        var compilation = GeneratorHarness.Compile(
            "using DslLosses;\nclass C { float M() => new BinaryCrossentropy().Compute(new float[4, 3], new float[4, 3], new float[] { 1, 2, 3 }); }");
        ImmutableArray<Diagnostic> diagnostics = await compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ShapeAnalyzer())).GetAnalyzerDiagnosticsAsync();
        string message = Assert.Single(diagnostics, d => d.Id == "DSL0106").GetMessage();
        Assert.EndsWith("the weights do not broadcast against the per-sample losses [4] (use a scalar, [4] or [4, 1])", message);
    }

    [Fact]
    public Task Gradient_destination_of_another_size() => Check("""
        class C
        {
            float M(KLDivergence kld) => kld.ComputeWithGradient(NTensor.Create(new float[6], [2, 3]), NTensor.Create(new float[6], [2, 3]), {|DSL0106:new TensorSpan<float>(new float[5])|});
        }
        """);

    private const string DiceFormula = """
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr Dice([Shape("B", "H", "W", "C")] TensorExpr y, [Shape("B", "H", "W", "C")] TensorExpr p)
                => 1 - (2 * Sum(y * p, axes: [1, 2, 3]) + 1) / (Sum(y + p, axes: NonBatchAxes) + 1);
        }

        """;

    [Fact]
    public Task Several_reduced_axes_leave_the_per_sample_shape_of_the_batch() => Check(DiceFormula + """
        class C
        {
            void M(float[] data)
            {
                var y = NTensor.Create(data, [2, 2, 2, 3]);
                MyLosses.Dice(y, y, new TensorSpan<float>(new float[2]));
                MyLosses.Dice(y, y, {|DSL0106:new TensorSpan<float>(new float[8])|});
                float a = MyLosses.Dice(y, y, Reduction.Sum, new float[] { 1, 2 });
                float b = MyLosses.Dice(y, y, Reduction.Sum, {|DSL0106:new float[] { 1, 2, 3, 4, 5 }|});
            }
        }
        """);

    [Fact]
    public Task Generated_kernel_dims_that_disagree() => Check(CallSiteFormulas.Formulas + """
        class C
        {
            float M() => MyLosses.FocalBce(new float[2, 3], {|DSL0106:new float[4, 3]|}, 2f);
        }
        """);

    [Fact]
    public Task Generated_kernel_rank_and_literal_size() => Check(CallSiteFormulas.Formulas + """
        class C
        {
            float M(float[] data)
            {
                float a = MyLosses.FocalBce({|DSL0106:NTensor.Create(data, [6])|}, NTensor.Create(data, [2, 3]), 2f);
                float b = MyLosses.Rgb(new float[2, 3], {|DSL0106:new float[2, 4]|});
                return a + b;
            }
        }
        """);

    [Fact]
    public Task Generated_kernel_sparse_labels_and_weights() => Check(CallSiteFormulas.Formulas + """
        class C
        {
            float M()
            {
                float a = MyLosses.Nll(new float[2, 5], {|DSL0106:new[] { 0, 1, 2 }|});
                float b = MyLosses.FocalBce(new float[2, 3], new float[2, 3], 2f, Reduction.Sum, {|DSL0106:new float[] { 1, 1, 1, 1 }|});
                return a + b;
            }
        }
        """);

    [Fact]
    public Task Axis_out_of_range_for_a_known_rank() => Check("""
        class C
        {
            Tensor<float> M() => Losses.binary_crossentropy(new float[] { 0, 1 }, new float[] { 0.3f, 0.6f }, {|DSL0107:axis: 1|});
            float N() => new CategoricalCrossentropy({|DSL0107:axis: -3|}).Compute(new float[2, 3], new float[2, 3]);
        }
        """);

    [Fact]
    public Task Right_shapes_are_silent() => Check(CallSiteFormulas.Formulas + """
        class C
        {
            private readonly BinaryCrossentropy _bce = new(fromLogits: true);
            float M(float[] labels, float[] probs)
            {
                float a = _bce.Compute(NTensor.Create(labels, [4, 1]), NTensor.Create(probs, [4, 1]));
                float b = new SparseCategoricalCrossentropy().Compute(new[] { 0, 1 }, new float[,] { { 0.1f, 0.9f }, { 0.5f, 0.5f } });
                float c = new SparseCategoricalCrossentropy().Compute(new ReadOnlyTensorSpan<int>(new int[2], [2, 1], []), NTensor.Create(new float[6], [2, 3]));
                float d = _bce.Compute(new float[2, 3], new float[2, 3], new float[] { 1, 2 });
                float e = _bce.Compute(new float[2, 3], new float[2, 3], new ReadOnlyTensorSpan<float>(new float[2], [2, 1], []));
                float f = MyLosses.FocalBce(new float[2, 3], new float[2, 3], 2f, Reduction.Sum, new float[] { 1, 2 });
                float g = MyLosses.Nll(new float[2, 5], new[] { 0, 1 });
                float h = MyLosses.Nll(new float[2, 5], new[] { 0, 1, 2, 3, 4 }, axis: 0);
                float i = MyLosses.Rgb(new float[4, 3], new float[4, 3]);
                Tensor<float> j = Losses.binary_crossentropy(new float[] { 0, 1 }, new float[] { 0.3f, 0.6f }, axis: -1);
                return a + b + c + d + e + f + g + h + i + j[0];
            }
        }
        """);

    [Fact]
    public Task Unknown_shapes_are_silent() => Check(CallSiteFormulas.Formulas + """
        class C
        {
            float M(int n, float[] labels, float[,] probs, BinaryCrossentropy bce)
            {
                var reassigned = new float[2, 3];
                reassigned = new float[4, 3];
                float a = bce.Compute(labels, new float[n]);
                float b = bce.Compute(new float[2, 3], probs);
                float c = bce.Compute(new float[4, 3], reassigned);
                float d = MyLosses.FocalBce(probs, new float[2, n], 2f);
                return a + b + c + d;
            }
        }
        """);

    [Fact]
    public Task Code_without_DslLosses_is_silent()
        => new Verify.AnalyzerTest<ShapeAnalyzer> { TestCode = "class C { int[] M() => new int[2]; }" }.RunAsync();
}
