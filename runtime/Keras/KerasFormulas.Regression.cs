using static DslLosses.Dsl;

namespace DslLosses.Keras;

/// <summary>
/// The tf_keras 2 regression, hinge and focal losses as DSL formulas, each in tf_keras's operation order (every constant
/// in the element type of <c>y_pred</c>). The classes (<see cref="DslLosses.MeanSquaredError"/>, ...) and the functions
/// of <see cref="DslLosses.Losses"/> call them.
/// </summary>
internal static partial class KerasFormulas
{
    /// <summary><c>mean_squared_error</c>: <c>mean((p - y)²)</c> over the last axis.</summary>
    [Loss(Name = "mean_squared_error")]
    internal static TensorExpr MeanSquaredError([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
        => Mean(Square(yPred - yTrue), axis: -1);

    /// <summary><c>mean_absolute_error</c>: <c>mean(|p - y|)</c> over the last axis.</summary>
    [Loss(Name = "mean_absolute_error")]
    internal static TensorExpr MeanAbsoluteError([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
        => Mean(Abs(yPred - yTrue), axis: -1);

    /// <summary>
    /// <c>mean_absolute_percentage_error</c>: <c>|(y - p) / max(|y|, eps)|</c>, the mean over the last axis, then times 100
    /// (mean first, as tf_keras).
    /// </summary>
    [Loss(Name = "mean_absolute_percentage_error")]
    internal static TensorExpr MeanAbsolutePercentageError([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
        => 100 * Mean(Abs((yTrue - yPred) / Max(Abs(yTrue), Epsilon)), axis: -1);

    /// <summary>
    /// <c>mean_squared_logarithmic_error</c>: <c>log(max(x, eps) + 1)</c> of both (not <c>log1p</c>: tf_keras adds 1 first),
    /// the mean of the squared difference over the last axis.
    /// </summary>
    [Loss(Name = "mean_squared_logarithmic_error")]
    internal static TensorExpr MeanSquaredLogarithmicError([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
    {
        var first = Log(Max(yPred, Epsilon) + 1);
        var second = Log(Max(yTrue, Epsilon) + 1);
        return Mean(Square(first - second), axis: -1);
    }

    /// <summary>
    /// <c>cosine_similarity</c>: both sides l2-normalised as <c>x * rsqrt(max(Σ x², 1e-12))</c> (the floor is on the squared
    /// norm), then <c>-Σ t̂ p̂</c> over the loss axis. A zero vector gives -0, never NaN.
    /// </summary>
    [Loss(Name = "cosine_similarity")]
    internal static TensorExpr CosineSimilarity([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
    {
        var t = yTrue * (1 / Sqrt(Max(Sum(Square(yTrue), axis: -1), 1e-12)));
        var p = yPred * (1 / Sqrt(Max(Sum(Square(yPred), axis: -1), 1e-12)));
        return -Sum(t * p, axis: -1);
    }

    /// <summary>
    /// <c>huber</c>: <c>e = p - y</c>; <c>0.5 e²</c> where <c>|e| &lt;= delta</c>, else <c>delta |e| - 0.5 delta²</c>; the mean over
    /// the last axis. Computed in the element type of the inputs (tf_keras casts to <c>floatx</c>).
    /// </summary>
    [Loss(Name = "huber")]
    internal static TensorExpr Huber([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar delta)
    {
        var error = yPred - yTrue;
        var absError = Abs(error);
        return Mean(Where(absError <= delta, 0.5 * Square(error), delta * absError - 0.5 * Square(delta)), axis: -1);
    }

    /// <summary>
    /// <c>log_cosh</c>: <c>x = p - y</c>, <c>(x + softplus(-2x)) - log 2</c>, the mean over the last axis. <c>log 2</c> is
    /// tf_keras's float32 constant <c>tf.math.log(2.0)</c> cast to the element type, so float64 gives -1.9e-9 at <c>x = 0</c>.
    /// </summary>
    [Loss(Name = "log_cosh")]
    internal static TensorExpr LogCosh([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred)
    {
        var x = yPred - yTrue;
        return Mean(x + Softplus(-2 * x) - 0.6931471824645996, axis: -1);
    }

    /// <summary>
    /// <c>hinge</c>: <c>mean(max(1 - y p, 0))</c> over the last axis. <paramref name="convertLabels"/> is 1 when the whole
    /// <c>y_true</c> of the call is in {0, 1} (tf_keras's <c>_maybe_convert_labels</c>, decided over the whole tensor by
    /// the caller), which makes the labels <c>2y - 1</c>; 0 leaves them as they are (both exactly).
    /// </summary>
    [Loss(Name = "hinge")]
    internal static TensorExpr Hinge([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar convertLabels)
    {
        var y = yTrue * (1 + convertLabels) - convertLabels;
        return Mean(Max(1 - y * yPred, 0.0), axis: -1);
    }

    /// <summary><c>squared_hinge</c>: <c>mean(max(1 - y p, 0)²)</c>, with the label conversion of <c>Hinge</c>.</summary>
    [Loss(Name = "squared_hinge")]
    internal static TensorExpr SquaredHinge([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar convertLabels)
    {
        var y = yTrue * (1 + convertLabels) - convertLabels;
        return Mean(Square(Max(1 - y * yPred, 0.0)), axis: -1);
    }

    /// <summary>
    /// <c>categorical_hinge</c>: <c>pos = Σ y p</c>, <c>neg = max((1 - y) p)</c> over every class (the true one included),
    /// <c>max(neg - pos + 1, 0)</c>. No label conversion.
    /// </summary>
    [Loss(Name = "categorical_hinge")]
    internal static TensorExpr CategoricalHinge([Shape("...", "C")] TensorExpr yTrue, [Shape("...", "C")] TensorExpr yPred)
    {
        var pos = Sum(yTrue * yPred, axis: -1);
        var neg = Max((1 - yTrue) * yPred, axis: -1);
        return Max(neg - pos + 1, 0.0);
    }

    /// <summary>
    /// <c>binary_focal_crossentropy</c> on probabilities: smoothed labels; <c>p_t</c> from the unclipped predictions;
    /// <c>(1 - p_t)^gamma</c> times the elementwise <c>binary_crossentropy</c> (clipped, <c>+eps</c> in both logs); the mean over the loss axis.
    /// </summary>
    [Loss(Name = "binary_focal_crossentropy")]
    internal static TensorExpr BinaryFocalCrossentropyProbabilities([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar gamma, Scalar labelSmoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
        var focal = Pow(1 - (y * yPred + (1 - y) * (1 - yPred)), gamma);
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        var ce = -(y * Log(p + Epsilon) + (1 - y) * Log(1 - p + Epsilon));
        return Mean(focal * ce, axis: -1);
    }

    /// <summary>
    /// <c>BinaryFocalCrossentropyProbabilities</c> with <c>apply_class_balancing</c>: the focal loss times
    /// <c>y alpha + (1 - y) oneMinusAlpha</c> (<c>1 - alpha</c> taken in double, as tf_keras's Python constant).
    /// </summary>
    [Loss(Name = "binary_focal_crossentropy")]
    internal static TensorExpr BinaryFocalCrossentropyProbabilitiesBalanced([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar gamma, Scalar labelSmoothing, Scalar alpha, Scalar oneMinusAlpha)
    {
        var y = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
        var focal = Pow(1 - (y * yPred + (1 - y) * (1 - yPred)), gamma);
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        var ce = -(y * Log(p + Epsilon) + (1 - y) * Log(1 - p + Epsilon));
        return Mean((y * alpha + (1 - y) * oneMinusAlpha) * (focal * ce), axis: -1);
    }

    /// <summary>
    /// <c>binary_focal_crossentropy</c> with <c>from_logits=True</c>: <c>p_t</c> from <c>sigmoid(x)</c>, the focal factor
    /// times the sigmoid cross-entropy op; the mean over the loss axis.
    /// </summary>
    [Loss(Name = "binary_focal_crossentropy")]
    internal static TensorExpr BinaryFocalCrossentropyLogits([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar gamma, Scalar labelSmoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
        var s = Sigmoid(yPred);
        var focal = Pow(1 - (y * s + (1 - y) * (1 - s)), gamma);
        return Mean(focal * (Softplus(yPred) - yPred * y), axis: -1);
    }

    /// <summary><c>BinaryFocalCrossentropyLogits</c> with <c>apply_class_balancing</c>.</summary>
    [Loss(Name = "binary_focal_crossentropy")]
    internal static TensorExpr BinaryFocalCrossentropyLogitsBalanced([Shape("...", "N")] TensorExpr yTrue, [Shape("...", "N")] TensorExpr yPred, Scalar gamma, Scalar labelSmoothing, Scalar alpha, Scalar oneMinusAlpha)
    {
        var y = yTrue * (1 - labelSmoothing) + 0.5 * labelSmoothing;
        var s = Sigmoid(yPred);
        var focal = Pow(1 - (y * s + (1 - y) * (1 - s)), gamma);
        return Mean((y * alpha + (1 - y) * oneMinusAlpha) * (focal * (Softplus(yPred) - yPred * y)), axis: -1);
    }

    /// <summary>
    /// <c>categorical_focal_crossentropy</c> on probabilities: labels <c>y (1 - ls) + smoothing</c> (the caller passes
    /// <c>smoothing = ls / C</c> with C the length of the <em>last</em> axis, as tf_keras); predictions divided by their sum,
    /// clipped to <c>[eps, 1 - eps]</c>; <c>Σ ((1 - p)^gamma alpha) (-y log p)</c> over the class axis.
    /// </summary>
    [Loss(Name = "categorical_focal_crossentropy")]
    internal static TensorExpr CategoricalFocalCrossentropyProbabilities([Shape("...", "C")] TensorExpr yTrue, [Shape("...", "C")] TensorExpr yPred, Scalar alpha, Scalar gamma, Scalar labelSmoothing, Scalar smoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + smoothing;
        var p = Clip(yPred / Sum(yPred, axis: -1), Epsilon, 1 - Epsilon);
        return Sum(Pow(1 - p, gamma) * alpha * (-y * Log(p)), axis: -1);
    }

    /// <summary>
    /// <c>categorical_focal_crossentropy</c> with <c>from_logits=True</c>: TensorFlow's softmax <c>exp(x - max) · (1 / Σ exp)</c>
    /// (probabilities, no log-sum-exp), then as <c>CategoricalFocalCrossentropyProbabilities</c>.
    /// </summary>
    [Loss(Name = "categorical_focal_crossentropy")]
    internal static TensorExpr CategoricalFocalCrossentropyLogits([Shape("...", "C")] TensorExpr yTrue, [Shape("...", "C")] TensorExpr yPred, Scalar alpha, Scalar gamma, Scalar labelSmoothing, Scalar smoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + smoothing;
        var e = Exp(yPred - Max(yPred, axis: -1));
        var s = e * (1 / Sum(e, axis: -1));
        var p = Clip(s / Sum(s, axis: -1), Epsilon, 1 - Epsilon);
        return Sum(Pow(1 - p, gamma) * alpha * (-y * Log(p)), axis: -1);
    }

    /// <summary><c>CategoricalFocalCrossentropyProbabilities</c> with one alpha per class, given at the full shape of <c>y_pred</c>.</summary>
    [Loss(Name = "categorical_focal_crossentropy")]
    internal static TensorExpr CategoricalFocalCrossentropyProbabilitiesClassAlpha([Shape("...", "C")] TensorExpr yTrue, [Differentiable, Shape("...", "C")] TensorExpr yPred, [Shape("...", "C")] TensorExpr alpha, Scalar gamma, Scalar labelSmoothing, Scalar smoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + smoothing;
        var p = Clip(yPred / Sum(yPred, axis: -1), Epsilon, 1 - Epsilon);
        return Sum(Pow(1 - p, gamma) * alpha * (-y * Log(p)), axis: -1);
    }

    /// <summary><c>CategoricalFocalCrossentropyLogits</c> with one alpha per class, given at the full shape of <c>y_pred</c>.</summary>
    [Loss(Name = "categorical_focal_crossentropy")]
    internal static TensorExpr CategoricalFocalCrossentropyLogitsClassAlpha([Shape("...", "C")] TensorExpr yTrue, [Differentiable, Shape("...", "C")] TensorExpr yPred, [Shape("...", "C")] TensorExpr alpha, Scalar gamma, Scalar labelSmoothing, Scalar smoothing)
    {
        var y = yTrue * (1 - labelSmoothing) + smoothing;
        var e = Exp(yPred - Max(yPred, axis: -1));
        var s = e * (1 / Sum(e, axis: -1));
        var p = Clip(s / Sum(s, axis: -1), Epsilon, 1 - Epsilon);
        return Sum(Pow(1 - p, gamma) * alpha * (-y * Log(p)), axis: -1);
    }
}
