namespace DslLosses.Tests.Analyzers;

/// <summary>
/// Formulas whose generated entry points the call-site tests call: the array and span calls (ShapeAnalyzerTests) and
/// the TorchSharp overloads (TorchSharpCallSiteTests, in the bridge's test project, which links this file).
/// </summary>
internal static class CallSiteFormulas
{
    /// <summary>The formula type, as a consumer's source.</summary>
    internal const string Formulas = """
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr FocalBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
            {
                var p = Clip(yPred, Epsilon, 1 - Epsilon);
                var pt = yTrue * p + (1 - yTrue) * (1 - p);
                return Mean(-Pow(1 - pt, gamma) * Log(pt), axis: -1);
            }

            [Loss]
            static TensorExpr Nll([Shape("...", "C")] TensorExpr logits, [Shape("...")] Indices labels)
                => -Gather(LogSoftmax(logits, axis: -1), labels, axis: -1);

            [Loss]
            static TensorExpr Rgb([Shape("B", 3)] TensorExpr a, [Shape("B", 3)] TensorExpr b) => Sum(Square(a - b), axis: -1);
        }

        """;
}
