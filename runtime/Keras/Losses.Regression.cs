using System.Numerics.Tensors;

namespace DslLosses;

public static partial class Losses
{
    /// <summary>Keras's <c>mean_squared_error(y_true, y_pred)</c>: <c>mean((y_pred - y_true)²)</c> over the last axis.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> mean_squared_error(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => new MeanSquaredError().ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="mean_squared_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> mean_squared_error(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => new MeanSquaredError().ComputePerSample(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="mean_squared_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> mse(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => mean_squared_error(yTrue, yPred);

    /// <inheritdoc cref="mse(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> mse(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => mean_squared_error(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="mean_squared_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> MSE(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => mean_squared_error(yTrue, yPred);

    /// <inheritdoc cref="MSE(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> MSE(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => mean_squared_error(yTrue, yPred);

    /// <summary>Keras's <c>mean_absolute_error(y_true, y_pred)</c>: <c>mean(|y_pred - y_true|)</c> over the last axis.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> mean_absolute_error(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => new MeanAbsoluteError().ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="mean_absolute_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> mean_absolute_error(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => new MeanAbsoluteError().ComputePerSample(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="mean_absolute_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> mae(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => mean_absolute_error(yTrue, yPred);

    /// <inheritdoc cref="mae(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> mae(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => mean_absolute_error(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="mean_absolute_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> MAE(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => mean_absolute_error(yTrue, yPred);

    /// <inheritdoc cref="MAE(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> MAE(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => mean_absolute_error(yTrue, yPred);

    /// <summary>Keras's <c>mean_absolute_percentage_error(y_true, y_pred)</c>: <c>100 * mean(|(y_true - y_pred) / max(|y_true|, 1e-7)|)</c> over the last axis.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> mean_absolute_percentage_error(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => new MeanAbsolutePercentageError().ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="mean_absolute_percentage_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> mean_absolute_percentage_error(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => new MeanAbsolutePercentageError().ComputePerSample(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="mean_absolute_percentage_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> mape(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => mean_absolute_percentage_error(yTrue, yPred);

    /// <inheritdoc cref="mape(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> mape(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => mean_absolute_percentage_error(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="mean_absolute_percentage_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> MAPE(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => mean_absolute_percentage_error(yTrue, yPred);

    /// <inheritdoc cref="MAPE(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> MAPE(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => mean_absolute_percentage_error(yTrue, yPred);

    /// <summary>Keras's <c>mean_squared_logarithmic_error(y_true, y_pred)</c>: <c>mean((log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1))²)</c> over the last axis.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> mean_squared_logarithmic_error(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => new MeanSquaredLogarithmicError().ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="mean_squared_logarithmic_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> mean_squared_logarithmic_error(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => new MeanSquaredLogarithmicError().ComputePerSample(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="mean_squared_logarithmic_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> msle(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => mean_squared_logarithmic_error(yTrue, yPred);

    /// <inheritdoc cref="msle(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> msle(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => mean_squared_logarithmic_error(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="mean_squared_logarithmic_error(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> MSLE(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => mean_squared_logarithmic_error(yTrue, yPred);

    /// <inheritdoc cref="MSLE(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> MSLE(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => mean_squared_logarithmic_error(yTrue, yPred);

    /// <summary>Keras's <c>cosine_similarity(y_true, y_pred, axis)</c>: <c>-sum(l2_normalize(y_true) * l2_normalize(y_pred))</c> along <paramref name="axis"/>, which the result drops.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> cosine_similarity(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, int axis = -1)
        => new CosineSimilarity(axis).ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="cosine_similarity(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, int)"/>
    public static Tensor<double> cosine_similarity(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, int axis = -1)
        => new CosineSimilarity(axis).ComputePerSample(yTrue, yPred);

    /// <summary>Keras's <c>huber(y_true, y_pred, delta)</c>: <c>0.5 e²</c> where <c>|e| &lt;= delta</c>, else <c>delta |e| - 0.5 delta²</c>, the mean over the last axis (computed in the element type of the inputs).</summary>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="delta"/> is not a finite number greater than 0.</exception>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> huber(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, double delta = 1.0)
        => new Huber(delta).ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="huber(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, double)"/>
    public static Tensor<double> huber(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, double delta = 1.0)
        => new Huber(delta).ComputePerSample(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="huber(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, double)"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> huber_loss(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, double delta = 1.0) => huber(yTrue, yPred, delta);

    /// <inheritdoc cref="huber_loss(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, double)"/>
    public static Tensor<double> huber_loss(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, double delta = 1.0) => huber(yTrue, yPred, delta);

    /// <summary>Keras's <c>log_cosh(y_true, y_pred)</c>: <c>mean(x + softplus(-2x) - log 2)</c> with <c>x = y_pred - y_true</c>, over the last axis.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> log_cosh(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => new LogCosh().ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="log_cosh(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> log_cosh(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => new LogCosh().ComputePerSample(yTrue, yPred);

    /// <summary>Keras's alias of <see cref="log_cosh(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> logcosh(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred) => log_cosh(yTrue, yPred);

    /// <inheritdoc cref="logcosh(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> logcosh(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred) => log_cosh(yTrue, yPred);

    /// <summary>Keras's <c>hinge(y_true, y_pred)</c>: <c>mean(max(1 - y_true * y_pred, 0))</c> over the last axis; labels all in {0, 1} are converted to {-1, 1} first.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> hinge(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => new Hinge().ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="hinge(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> hinge(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => new Hinge().ComputePerSample(yTrue, yPred);

    /// <summary>Keras's <c>squared_hinge(y_true, y_pred)</c>: <c>mean(max(1 - y_true * y_pred, 0)²)</c> over the last axis; labels all in {0, 1} are converted to {-1, 1} first.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> squared_hinge(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => new SquaredHinge().ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="squared_hinge(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> squared_hinge(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => new SquaredHinge().ComputePerSample(yTrue, yPred);

    /// <summary>Keras's <c>categorical_hinge(y_true, y_pred)</c>: <c>max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)</c> over the last axis.</summary>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> categorical_hinge(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred)
        => new CategoricalHinge().ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="categorical_hinge(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float})"/>
    public static Tensor<double> categorical_hinge(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred)
        => new CategoricalHinge().ComputePerSample(yTrue, yPred);

    /// <summary>Keras's <c>binary_focal_crossentropy(y_true, y_pred, apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis)</c>: per-sample focal losses, the mean over <paramref name="axis"/>.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="alpha"/> or <paramref name="labelSmoothing"/> is outside [0, 1], or <paramref name="gamma"/> is negative.</exception>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> binary_focal_crossentropy(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, bool applyClassBalancing = false, double alpha = 0.25, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new BinaryFocalCrossentropy(applyClassBalancing, alpha, gamma, fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="binary_focal_crossentropy(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, bool, double, double, bool, double, int)"/>
    public static Tensor<double> binary_focal_crossentropy(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, bool applyClassBalancing = false, double alpha = 0.25, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new BinaryFocalCrossentropy(applyClassBalancing, alpha, gamma, fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <summary>Keras's <c>categorical_focal_crossentropy(y_true, y_pred, alpha, gamma, from_logits, label_smoothing, axis)</c>: per-sample focal losses, the sum over the class <paramref name="axis"/>.</summary>
    /// <exception cref="System.ArgumentOutOfRangeException"><paramref name="alpha"/> or <paramref name="labelSmoothing"/> is outside [0, 1], or <paramref name="gamma"/> is negative.</exception>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static Tensor<float> categorical_focal_crossentropy(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, double alpha = 0.25, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new CategoricalFocalCrossentropy(alpha, gamma, fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="categorical_focal_crossentropy(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, double, double, bool, double, int)"/>
    public static Tensor<double> categorical_focal_crossentropy(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, double alpha = 0.25, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new CategoricalFocalCrossentropy(alpha, gamma, fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <summary>Keras's <c>categorical_focal_crossentropy</c> with one alpha per class (the classes counted along the last axis).</summary>
    /// <exception cref="System.ArgumentOutOfRangeException">An alpha or <paramref name="labelSmoothing"/> is outside [0, 1], or <paramref name="gamma"/> is negative.</exception>
    /// <exception cref="ShapeMismatchException">The shapes differ, or alpha does not have one weight per class.</exception>
    public static Tensor<float> categorical_focal_crossentropy(ReadOnlyTensorSpan<float> yTrue, ReadOnlyTensorSpan<float> yPred, System.Collections.Generic.IReadOnlyList<double> alpha, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new CategoricalFocalCrossentropy(alpha, gamma, fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);

    /// <inheritdoc cref="categorical_focal_crossentropy(ReadOnlyTensorSpan{float}, ReadOnlyTensorSpan{float}, System.Collections.Generic.IReadOnlyList{double}, double, bool, double, int)"/>
    public static Tensor<double> categorical_focal_crossentropy(ReadOnlyTensorSpan<double> yTrue, ReadOnlyTensorSpan<double> yPred, System.Collections.Generic.IReadOnlyList<double> alpha, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1)
        => new CategoricalFocalCrossentropy(alpha, gamma, fromLogits, labelSmoothing, axis).ComputePerSample(yTrue, yPred);
}
