using System.Threading.Tasks;
using DslLosses.Analyzers;
using Xunit;

namespace DslLosses.Tests.Analyzers;

/// <summary>
/// DSL0106/DSL0107 at TorchSharp call sites: the bridge's <c>Call</c> on Keras loss classes and the TorchSharp overloads
/// generated for <c>[Loss]</c> formulas, with tensors whose shapes the method shows (<c>torch.zeros(32, 10)</c>,
/// <c>torch.tensor(float[,])</c>, ...). The compilation references the real DslLosses.TorchSharp and TorchSharp
/// assemblies as metadata; the analyzer tests of the main test project run without them (TorchSharp absent: nothing
/// to look for). They live here, where TorchSharp is referenced; Verify and the formulas are linked from there.
/// </summary>
public class TorchSharpCallSiteTests
{
    private static Task Check(string markup) => Verify.TorchAnalyzer<ShapeAnalyzer>(markup);

    private const string Formulas = CallSiteFormulas.Formulas;

    [Fact]
    public Task Keras_class_labels_of_another_shape() => Check("""
        class C
        {
            torch.Tensor M()
            {
                using var logits = torch.randn(32, 10).requires_grad_(true);
                return new CategoricalCrossentropy(fromLogits: true).Call(torch.zeros(32, 5), {|DSL0106:logits|});
            }
        }
        """);

    [Fact]
    public Task Keras_classic_B_against_B_by_1_with_size_arrays_and_collection_expressions() => Check("""
        class C
        {
            torch.Tensor M() => new BinaryCrossentropy().Call(torch.ones(new long[] { 4 }), {|DSL0106:torch.rand([4, 1])|});
        }
        """);

    [Fact]
    public Task Tensor_of_a_two_dimensional_array() => Check("""
        class C
        {
            torch.Tensor M()
            {
                var yTrue = torch.tensor(new float[,] { { 0, 1 }, { 1, 0 } });
                return new CategoricalCrossentropy().Call(yTrue, {|DSL0106:torch.rand(2, 3)|});
            }
        }
        """);

    [Fact]
    public Task Sparse_labels_of_another_batch_size_and_weights_that_do_not_broadcast() => Check("""
        class C
        {
            torch.Tensor M()
            {
                var scce = new SparseCategoricalCrossentropy(fromLogits: true);
                using var a = scce.Call({|DSL0106:torch.zeros(31, dtype: torch.int64)|}, torch.randn(32, 10));
                return new BinaryCrossentropy().Call(torch.zeros(4, 3), torch.rand(4, 3), {|DSL0106:torch.ones(3)|});
            }
        }
        """);

    [Fact]
    public Task Axis_out_of_range_for_a_torch_tensor_of_known_rank() => Check("""
        class C
        {
            torch.Tensor M() => new CategoricalCrossentropy({|DSL0107:axis: 2|}).Call(torch.zeros(4, 3), torch.rand(4, 3));
        }
        """);

    [Fact]
    public Task Generated_TorchSharp_overloads_are_checked_against_the_declared_shapes() => Check(Formulas + """
        class C
        {
            torch.Tensor M()
            {
                using var p = torch.rand(4, 3).requires_grad_(true);
                using var a = MyLosses.FocalBce(torch.zeros(2, 3), {|DSL0106:p|}, 2.0);
                using var b = MyLosses.Nll(torch.randn(2, 5), {|DSL0106:torch.tensor(new long[] { 0, 1, 2 })|});
                return MyLosses.FocalBce({|DSL0106:torch.zeros(6)|}, torch.rand(2, 3), 2.0, Reduction.Sum);
            }
        }
        """);

    [Fact]
    public Task Extra_tensors_of_generated_TorchSharp_overloads_are_checked_too() => Check(Formulas + """
        public static partial class Weighted
        {
            [Loss]
            static TensorExpr PosBce([Shape("B", "C")] TensorExpr y, [Differentiable, Shape("B", "C")] TensorExpr z, [Shape("C")] TensorExpr posWeight)
                => Mean(posWeight * y * Softplus(-z) + (1 - y) * Softplus(z), axis: -1);
        }
        class C
        {
            void M()
            {
                using var z = torch.randn(4, 3).requires_grad_(true);
                using var a = Weighted.PosBce(torch.zeros(4, 3), z, {|DSL0106:torch.ones(5)|});
                using var b = Weighted.PosBce(torch.zeros(4, 3), z, torch.ones(3));
            }
        }
        """);

    [Fact]
    public Task Right_shapes_are_silent() => Check(Formulas + """
        class C
        {
            private readonly BinaryCrossentropy _bce = new(fromLogits: true);
            void M()
            {
                using var logits = torch.randn(32, 10).requires_grad_(true);
                using var a = _bce.Call(torch.zeros(32, 10), logits, torch.ones(32));
                using var b = new SparseCategoricalCrossentropy(fromLogits: true).Call(torch.zeros(32, dtype: torch.int64), logits);
                using var c = new SparseCategoricalCrossentropy(fromLogits: true).Call(torch.zeros(32, 1, dtype: torch.int64), logits, torch.tensor(0.5f));
                using var d = new CategoricalCrossentropy().Call(torch.tensor(new float[,] { { 0, 1 }, { 1, 0 } }), torch.rand(2, 2).to(torch.float64).to(torch.float32));
                using var e = MyLosses.FocalBce(torch.zeros(2, 3), torch.rand(2, 3).detach(), 2.0, Reduction.Sum, torch.ones(2, 1));
                using var f = MyLosses.Nll(torch.randn(new long[] { 2, 5 }), torch.tensor(new long[] { 0, 1 }));
                using var g = new Poisson().Call(torch.empty(3, 4, 5), torch.rand([3, 4, 5]));
            }
        }
        """);

    [Fact]
    public Task Unknown_shapes_are_silent() => Check(Formulas + """
        class C
        {
            void M(int n, torch.Tensor labels, torch.Tensor probs)
            {
                var bce = new BinaryCrossentropy();
                using var a = bce.Call(labels, torch.rand(4, 3));
                using var b = bce.Call(torch.zeros(n, 3), torch.rand(4, 3));
                var reassigned = torch.zeros(2, 3);
                reassigned = torch.zeros(4, 3);
                using var c = bce.Call(reassigned, torch.rand(4, 3));
                var reshaped = torch.zeros(4);
                reshaped.unsqueeze_(1);
                using var d = bce.Call(reshaped, torch.rand(4, 1));
                using var e = bce.Call(torch.rand(4, 3).reshape(3, 4), torch.rand(3, 4));
                using var f = MyLosses.FocalBce(probs, torch.rand(2, n), 2.0);
            }
        }
        """);
}
