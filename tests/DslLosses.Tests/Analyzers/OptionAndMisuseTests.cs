using System.Threading.Tasks;
using DslLosses.Analyzers;
using Xunit;

namespace DslLosses.Tests.Analyzers;

public class LabelSmoothingAnalyzerTests
{
    private static Task Check(string markup) => Verify.Analyzer<LabelSmoothingAnalyzer>(markup);

    [Fact]
    public Task Out_of_range_literals_consts_and_constant_expressions() => Check("""
        class C
        {
            const double Smoothing = 0.5;
            void M(float[] y, float[] p)
            {
                var a = new BinaryCrossentropy(labelSmoothing: {|DSL0201:1.5|});
                var b = new CategoricalCrossentropy(true, {|DSL0201:-0.1|});
                var c = new CategoricalCrossentropy(labelSmoothing: {|DSL0201:Smoothing * 3|});
                var d = Losses.binary_crossentropy(y, p, labelSmoothing: {|DSL0201:-0.1f|});
            }
        }
        """);

    [Fact]
    public Task Generated_kernel_with_a_labelSmoothing_scalar() => Check("""
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr SmoothBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar labelSmoothing)
            {
                var y = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
                return Mean(Softplus(yPred) - yPred * y, axis: -1);
            }
        }
        class C
        {
            float M(float[,] y, float[,] p) => MyLosses.SmoothBce(y, p, {|DSL0201:2f|});
        }
        """);

    [Fact]
    public Task Delta_gamma_and_alpha_out_of_range_on_built_in_losses() => Check("""
        class C
        {
            const double Gamma = -1;
            void M(float[] y, float[] p)
            {
                var a = new Huber({|DSL0202:0|});
                var b = new Huber(delta: {|DSL0202:-0.5|});
                var c = new BinaryFocalCrossentropy(true, {|DSL0202:1.5|}, {|DSL0202:Gamma * 2|});
                var d = new CategoricalFocalCrossentropy(alpha: {|DSL0202:-0.25|}, gamma: 2, labelSmoothing: {|DSL0201:3|});
                var e = Losses.huber(y, p, delta: {|DSL0202:0f|});
                var f = Losses.binary_focal_crossentropy(y, p, gamma: {|DSL0202:-3|});
                var g = new Huber(1e-3);
                var h = new CategoricalFocalCrossentropy(alpha: 1, gamma: 0);
                var i = Losses.categorical_focal_crossentropy(y, p, alpha: 0, gamma: 5.5);
            }
        }
        """);

    [Fact]
    public Task A_gamma_of_a_users_own_formula_is_not_checked() => Check("""
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr Scaled([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
                => Mean(gamma * (yPred - yTrue), axis: -1);
        }
        class C
        {
            float M(float[,] y, float[,] p) => MyLosses.Scaled(y, p, -2f);
        }
        """);

    [Fact]
    public Task In_range_and_non_constant_values_are_silent() => Check("""
        class C
        {
            void M(double ls, float[] y, float[] p)
            {
                var a = new BinaryCrossentropy(labelSmoothing: 0.0);
                var b = new BinaryCrossentropy(labelSmoothing: 1.0);
                var c = new CategoricalCrossentropy(labelSmoothing: 0.1);
                var d = new CategoricalCrossentropy(labelSmoothing: ls);
                var e = Losses.binary_crossentropy(y, p, labelSmoothing: ls * 2);
                var f = new SparseCategoricalCrossentropy(ignoreClass: -1);
            }
        }
        """);
}

public class LogitsAnalyzerTests
{
    private static Task Check(string markup) => Verify.Analyzer<LogitsAnalyzer>(markup);

    [Fact]
    public Task Logits_read_as_probabilities() => Check("""
        class C
        {
            float M()
            {
                var bce = new BinaryCrossentropy();
                float[] logits = [2.5f, -1.3f, 0.4f];
                return bce.Compute(new float[] { 1, 0, 1 }, {|DSL0301:logits|});
            }
            Tensor<float> N() => Losses.categorical_crossentropy(new float[] { 0, 1 }, {|DSL0301:new float[] { -3f, 4f }|});
        }
        """);

    [Fact]
    public Task Probabilities_read_as_logits() => Check("""
        class C
        {
            private static readonly BinaryCrossentropy Bce = new(fromLogits: true);
            float M() => Bce.Compute(new float[] { 1, 0, 1 }, {|DSL0302:new float[] { 0.9f, 0.2f, 0.7f }|});
            float N() => new CategoricalCrossentropy(fromLogits: true).Compute(new float[,] { { 0, 1 }, { 1, 0 } }, {|DSL0302:new float[,] { { 0.3f, 0.7f }, { 0.6f, 0.4f } }|});
            Tensor<float> O() => Nn.sigmoid_cross_entropy_with_logits(new float[] { 1, 0 }, {|DSL0302:new float[] { 0.8f, 0.1f }|});
        }
        """);

    [Fact]
    public Task Consistent_or_unknown_predictions_are_silent() => Check("""
        class C
        {
            float M(float[] p, bool fromLogits)
            {
                var probs = new BinaryCrossentropy();
                var logits = new BinaryCrossentropy(fromLogits: true);
                var unknown = new BinaryCrossentropy(fromLogits: fromLogits);
                float a = probs.Compute(new float[] { 1, 0 }, new float[] { 0.9f, 0.2f });
                float b = logits.Compute(new float[] { 1, 0 }, new float[] { 2.5f, -1.3f });
                float c = unknown.Compute(new float[] { 1, 0 }, new float[] { 2.5f, -1.3f });
                float d = probs.Compute(new float[] { 1, 0 }, p);
                float e = logits.Compute(new float[] { 1, 0 }, new float[] { 0f, 1f });
                // softmax rows that do not sum to 1 are scores, not probabilities
                float f = new CategoricalCrossentropy(fromLogits: true).Compute(new float[,] { { 0, 1 } }, new float[,] { { 0.2f, 0.3f } });
                var mutated = new float[] { 0.9f, 0.2f };
                Fill(mutated);
                float g = logits.Compute(new float[] { 1, 0 }, mutated);
                var uninitialised = new float[2];
                float h = logits.Compute(new float[] { 1, 0 }, uninitialised);
                return a + b + c + d + e + f + g + h;
            }
            static void Fill(float[] x) { }
        }
        """);
}

public class FormulaAnalyzerTests
{
    private static Task Check(string markup) => Verify.Analyzer<FormulaAnalyzer>(markup);

    [Fact]
    public Task Log_of_sigmoid_and_softmax_by_hand() => Check("""
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr Bce([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr x)
                => -Mean(y * {|DSL0303:Log(Sigmoid(x))|} + (1 - y) * {|DSL0303:Log(1 - Sigmoid(x))|}, axis: -1);

            [Loss]
            static TensorExpr Cce([Shape("B", "C")] TensorExpr y, [Shape("B", "C")] TensorExpr x)
            {
                var p = Softmax(x, axis: -1);
                return -Sum(y * {|DSL0303:Log(p)|}, axis: -1);
            }
        }
        """);

    [Fact]
    public Task Activation_fed_to_a_logits_operation() => Check("""
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr Twice([Shape("B", "C")] TensorExpr y, [Shape("B", "C")] TensorExpr x)
            {
                var p = Softmax(x, axis: -1);
                return -Sum(y * LogSoftmax({|DSL0304:p|}, axis: -1), axis: -1);
            }

            [Loss]
            static TensorExpr SigmoidThenSoftplus([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr x)
                => Mean(Softplus({|DSL0304:Sigmoid(x)|}) - y * x, axis: -1);
        }
        """);

    [Fact]
    public Task Stable_forms_and_code_outside_formulas_are_silent() => Check("""
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr Bce([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr x)
                => Mean(y * Softplus(-x) + (1 - y) * Softplus(x), axis: -1);

            [Loss]
            static TensorExpr Probabilities([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p)
                => -Mean(y * Log(Clip(p, Epsilon, 1 - Epsilon)) + (1 - y) * Log(1 - Clip(p, Epsilon, 1 - Epsilon)), axis: -1);

            [Loss]
            static TensorExpr Focal([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr x)
            {
                var p = Sigmoid(x);
                return Mean(Square(y - p) + Softplus(-x) * y, axis: -1);
            }

            static TensorExpr NotAFormula(TensorExpr x) => Log(Sigmoid(x));
        }
        """);
}
