using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics.Tensors;
using System.Text;
using DslLosses.Generator;
using DslLosses.Generator.Checking;
using DslLosses.Generator.Lowering;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using static DslLosses.Dsl;
using Ir = DslLosses.Generator.Ir;

namespace DslLosses.Tests;

/// <summary>
/// A formula whose locals are each used several times by the next is a DAG with an exponential unfolding (sixty
/// chained locals unfold to about 3^60 nodes); every analysis must work on its distinct nodes only. Nothing here
/// measures time: what would unfold the DAG never finishes, and the counts below bound the work done.
/// </summary>
public class IrScalingTests
{
    private const int Depth = 60;
    private const int B = 3, N = 5;
    private static readonly nint[] Shape = { B, N };

    /// <summary><c>a1 = yPred * yTrue</c>, <c>a(k) = a(k-1) - 0.5 * a(k-1) * a(k-1)</c>, the mean of the last along the axis.</summary>
    private static string ChainFormula(int depth, string name = "Chain")
    {
        var text = new StringBuilder();
        text.AppendLine($"    [Loss] static TensorExpr {name}([Shape(\"B\", \"N\")] TensorExpr yTrue, [Shape(\"B\", \"N\")] TensorExpr yPred)");
        text.AppendLine("    {");
        text.AppendLine("        var a1 = yPred * yTrue;");
        for (int k = 2; k <= depth; k++)
            text.AppendLine($"        var a{k} = a{k - 1} - 0.5 * a{k - 1} * a{k - 1};");
        text.AppendLine($"        return Mean(a{depth}, axis: -1);");
        text.AppendLine("    }");
        return text.ToString();
    }

    /// <summary>One element of the formula in float64, step by step, and its derivative by <c>yPred</c> (forward mode).</summary>
    private static (double Value, double Derivative) Reference(int depth, double yTrue, double yPred)
    {
        double a = yPred * yTrue, da = yTrue;
        for (int k = 2; k <= depth; k++)
        {
            da *= 1 - a;
            a -= 0.5 * a * a;
        }
        return (a, da);
    }

    /// <summary>Per row: the loss (mean of the chain along the axis); per element: the derivative of its row's loss.</summary>
    private static (double[] Rows, double[] Gradient) References(int depth, double[] yTrue, double[] yPred)
    {
        var rows = new double[B];
        var gradient = new double[B * N];
        for (int i = 0; i < B * N; i++)
        {
            (double value, double derivative) = Reference(depth, yTrue[i], yPred[i]);
            rows[i / N] += value / N;
            gradient[i] = derivative / N;
        }
        Assert.True(rows.All(r => r > 0.01), "the chain must not collapse to zero at this depth");
        return (rows, gradient);
    }

    private static double[] Uniform(Random random, int n, double lo, double hi) => Enumerable.Range(0, n).Select(_ => lo + (hi - lo) * random.NextDouble()).ToArray();

    private static ReadOnlyTensorSpan<T> View<T>(T[] values) => new(values, Shape, default);

    [Fact]
    public void Sixty_chained_locals_parse_check_and_lower_to_shared_nodes_that_compute_the_formula()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(GeneratorHarness.Usings + "namespace Chains;\n\npublic static partial class Losses\n{\n" + ChainFormula(Depth) + "}\n");
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SemanticModel model = compilation.GetSemanticModel(tree);
        MethodDeclarationSyntax syntax = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
        IMethodSymbol method = model.GetDeclaredSymbol(syntax)!;

        var parsed = LossGenerator.ParseAndCheck(method, syntax, model, method.GetAttributes().Single(), default);
        Assert.Empty(parsed.Diagnostics);
        Ir.Expr body = parsed.Value!.Body;
        Assert.InRange(DistinctNodes(body), 4 * Depth, 4 * Depth + 8); // four nodes a local: the parser shares locals, never copies them

        KernelPlan plan = Lowerer.Lower(parsed.Value);
        Assert.Equal(new[] { 1 }, parsed.Value.DifferentiableTensors);
        Assert.NotNull(plan.Gradient);
        Assert.InRange(DistinctNodes(plan.Loss), 3 * Depth, 4 * Depth + 8); // equal constants become one node
        Assert.InRange(DistinctNodes(plan.Gradient!), Depth, 16 * Depth); // the derivative of each local built once

        // the analyses behind the plan's choices, on the lowered loss and gradient, and the choices themselves: one
        // entry per distinct node at most
        Assert.Equal(Level.Row, plan.Choices.LevelOf(plan.Loss));
        Assert.Equal(Level.Elem, plan.Choices.LevelOf(plan.Gradient!));
        Assert.InRange(plan.Choices.Levels.Count, 1, DistinctNodes(plan.Loss) + DistinctNodes(plan.Gradient!) + (plan.FlatTerm is null ? 0 : DistinctNodes(plan.FlatTerm)));
        Assert.Equal(Level.Row, Lowerer.LevelOf(plan.Loss, plan.Geometry));
        Assert.Equal(Level.Elem, Lowerer.LevelOf(plan.Gradient!, plan.Geometry));
        Assert.Empty(Lowerer.ShiftMaxima(plan));
        var ranges = new Ranges(single: true);
        Assert.False(ranges.IsPositiveNormalFinite(plan.Loss));
        Assert.False(ranges.IsPositiveNormalFinite(plan.Gradient!));

        // the lowered loss and gradient, evaluated node by node (each distinct node once per element), against float64
        var random = new Random(3);
        double[] yTrue = Uniform(random, B * N, 0.2, 1), yPred = Uniform(random, B * N, 0.2, 1);
        (double[] rows, double[] gradient) = References(Depth, yTrue, yPred);
        var evaluate = new Evaluator(N, yTrue, yPred);
        for (int row = 0; row < B; row++)
        {
            Assert.Equal(rows[row], evaluate.At(plan.Loss, row, 0), 12);
            for (int c = 0; c < N; c++)
                Assert.Equal(gradient[row * N + c], evaluate.At(plan.Gradient!, row, c), 12);
        }
        Assert.InRange(evaluate.Visits, 1, 2 * (DistinctNodes(plan.Loss) + DistinctNodes(plan.Gradient!)) * B * N);
    }

    [Fact]
    public void Sixty_chained_locals_through_the_whole_generator()
    {
        string source = GeneratorHarness.GeneratedSource("Chains", ChainFormula(Depth));
        Assert.Contains("ChainGradient", source);
    }

    [Fact]
    public void Chained_locals_through_the_whole_generator_compile_without_diagnostics()
    {
        string source = GeneratorHarness.GeneratedSource("Chains", ChainFormula(8));
        Assert.Contains("ChainGradient", source);
    }

    [Fact]
    public void Chained_locals_compute_the_loss_and_its_gradient()
    {
        var random = new Random(7);
        double[] yTrue = Uniform(random, B * N, 0.2, 1), yPred = Uniform(random, B * N, 0.2, 1);
        (double[] rows, double[] expected) = References(8, yTrue, yPred);

        // double: the kernels compute what the formula says
        Assert.Equal(rows.Sum(), ChainFormulas.Chain8(View(yTrue), View(yPred), Reduction.Sum), 12);
        Assert.Equal(rows.Sum() / B, ChainFormulas.Chain8(View(yTrue), View(yPred), Reduction.SumOverBatchSize), 12);
        var gradient = new double[B * N];
        ChainFormulas.Chain8Gradient(View(yTrue), View(yPred), new TensorSpan<double>(gradient), Reduction.Sum);
        for (int i = 0; i < gradient.Length; i++)
            Assert.Equal(expected[i], gradient[i], 12);

        // float: the same within single precision
        float[] yTrueF = yTrue.Select(v => (float)v).ToArray(), yPredF = yPred.Select(v => (float)v).ToArray();
        double expectedF = 0;
        for (int i = 0; i < B * N; i++)
            expectedF += Reference(8, yTrueF[i], yPredF[i]).Value / N;
        Assert.Equal(expectedF, ChainFormulas.Chain8(View(yTrueF), View(yPredF), Reduction.Sum), 4);
    }

    /// <summary>The nodes reachable from <paramref name="root"/>, each object counted once.</summary>
    private static int DistinctNodes(Ir.Expr root)
    {
        var seen = new HashSet<Ir.Expr>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<Ir.Expr>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            Ir.Expr node = pending.Pop();
            if (seen.Add(node))
            {
                foreach (Ir.Expr child in Ir.ExprTree.Children(node))
                    pending.Push(child);
            }
        }
        return seen.Count;
    }

    /// <summary>
    /// A float64 interpreter of the lowered IR (the operations this formula lowers to), for rows of <c>n</c> elements of
    /// the parameters <c>yTrue</c>, <c>yPred</c>. Memoised by node object, so shared nodes are computed once per element.
    /// </summary>
    private sealed class Evaluator(int n, params double[][] inputs)
    {
        private readonly Dictionary<(int Row, int Column), Dictionary<Ir.Expr, double>> _elements = new();
        private readonly Dictionary<int, Dictionary<Ir.Expr, double>> _rows = new();

        public long Visits { get; private set; }

        public double At(Ir.Expr node, int row, int column)
        {
            if (!_elements.TryGetValue((row, column), out Dictionary<Ir.Expr, double>? memo))
                _elements[(row, column)] = memo = new Dictionary<Ir.Expr, double>(ReferenceEqualityComparer.Instance);
            if (memo.TryGetValue(node, out double known))
                return known;
            Visits++;
            double value = node switch
            {
                Ir.Const c => c.Value,
                Ir.Param p => inputs[p.Index][row * n + column],
                Ir.AxisLength => n,
                Ir.Unary { Op: Ir.UnaryOp.Neg } u => -At(u.X, row, column),
                Ir.Unary { Op: Ir.UnaryOp.StopGradient } u => At(u.X, row, column),
                Ir.Binary { Op: Ir.BinaryOp.Add } b => At(b.Left, row, column) + At(b.Right, row, column),
                Ir.Binary { Op: Ir.BinaryOp.Sub } b => At(b.Left, row, column) - At(b.Right, row, column),
                Ir.Binary { Op: Ir.BinaryOp.Mul } b => At(b.Left, row, column) * At(b.Right, row, column),
                Ir.Binary { Op: Ir.BinaryOp.Div } b => At(b.Left, row, column) / At(b.Right, row, column),
                Ir.Reduce { Op: Ir.ReduceOp.Sum } r => RowSum(r, row),
                _ => throw new NotSupportedException(node.GetType().Name),
            };
            memo[node] = value;
            return value;
        }

        private double RowSum(Ir.Reduce sum, int row)
        {
            if (!_rows.TryGetValue(row, out Dictionary<Ir.Expr, double>? memo))
                _rows[row] = memo = new Dictionary<Ir.Expr, double>(ReferenceEqualityComparer.Instance);
            if (!memo.TryGetValue(sum, out double total))
            {
                total = 0;
                for (int c = 0; c < n; c++)
                    total += At(sum.X, row, c);
                memo[sum] = total;
            }
            return total;
        }
    }

    /// <summary><c>a1 = x1 * x0</c>, <c>a(k) = a(k-1) - 0.5 * a(k-1) * a(k-1)</c>, built from new nodes, each local one shared node.</summary>
    private static Ir.Expr Chain(int depth, Ir.Expr leaf)
    {
        Ir.Expr a = new Ir.Binary(Ir.BinaryOp.Mul, new Ir.Param(1, Ir.ParamKind.Tensor), leaf);
        for (int k = 2; k <= depth; k++)
            a = new Ir.Binary(Ir.BinaryOp.Sub, a, new Ir.Binary(Ir.BinaryOp.Mul, new Ir.Binary(Ir.BinaryOp.Mul, new Ir.Const(0.5), a), a));
        return new Ir.Reduce(Ir.ReduceOp.Mean, a, -1);
    }

    [Fact]
    public void Equality_and_hash_of_deep_shared_expressions_visit_each_node_once()
    {
        Ir.Expr first = Chain(Depth, new Ir.Param(0, Ir.ParamKind.Tensor));
        Ir.Expr second = Chain(Depth, new Ir.Param(0, Ir.ParamKind.Tensor));
        Ir.Expr other = Chain(Depth, new Ir.Param(2, Ir.ParamKind.Tensor));
        Ir.Expr otherConstant = Chain(Depth, new Ir.Const(1));

        Assert.NotSame(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        long before = Ir.Expr.ComparisonsOnThisThread;
        Assert.True(first.Equals(second));
        Assert.True(first == second);
        long compared = Ir.Expr.ComparisonsOnThisThread - before;
        // each local of one chain is compared with its twin once: 4 nodes per local, and a few leaves
        Assert.InRange(compared, 1, 4 * Depth + 8);
        Assert.True(second.Equals(first));
        Assert.Equal(compared, Ir.Expr.ComparisonsOnThisThread - before); // known equal now: no further comparison

        Assert.False(first.Equals(other));
        Assert.False(other.Equals(first));
        Assert.False(first.Equals(otherConstant));
        Assert.NotEqual(first.GetHashCode(), other.GetHashCode());

        // in hashed collections the two builds are one key
        var set = new System.Collections.Generic.HashSet<Ir.Expr> { first };
        Assert.Contains(second, set);
        Assert.DoesNotContain(other, set);
    }

    [Fact]
    public void Equal_hashes_still_compare_fields()
    {
        Ir.Expr a = new Ir.Binary(Ir.BinaryOp.Add, new Ir.Const(1), new Ir.Param(0, Ir.ParamKind.Tensor));
        Ir.Expr b = new Ir.Binary(Ir.BinaryOp.Add, new Ir.Const(1), new Ir.Param(0, Ir.ParamKind.Tensor));
        Ir.Expr c = a with { };
        Ir.Expr d = ((Ir.Binary)a) with { Op = Ir.BinaryOp.Sub };
        Assert.Equal(a, b);
        Assert.Equal(a, c);
        Assert.NotEqual(a, d);
        Assert.NotEqual(a.GetHashCode(), d.GetHashCode());
        Assert.Equal(new Ir.Const(0.0), new Ir.Const(-0.0));
        Assert.Equal(new Ir.Const(0.0).GetHashCode(), new Ir.Const(-0.0).GetHashCode());
        Assert.Equal(new Ir.Const(double.NaN), new Ir.Const(double.NaN));
    }
}

/// <summary>
/// The chain, eight locals deep, generated by the build of this project (the consumer path): the kernels the whole
/// generator writes for a formula that reuses its locals, run on numbers. (Sixty deep once the emitter's own walks
/// visit shared nodes once; see <see cref="IrScalingTests.Sixty_chained_locals_through_the_whole_generator"/>.)
/// </summary>
public static partial class ChainFormulas
{
    [Loss]
    static TensorExpr Chain8([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
    {
        var a1 = yPred * yTrue;
        var a2 = a1 - 0.5 * a1 * a1;
        var a3 = a2 - 0.5 * a2 * a2;
        var a4 = a3 - 0.5 * a3 * a3;
        var a5 = a4 - 0.5 * a4 * a4;
        var a6 = a5 - 0.5 * a5 * a5;
        var a7 = a6 - 0.5 * a6 * a6;
        var a8 = a7 - 0.5 * a7 * a7;
        return Mean(a8, axis: -1);
    }
}
