using System;
using static DslLosses.Dsl;

namespace DslLosses.Tests;

/// <summary>
/// Twenty widely used losses in their textbook form, written as a user would from the README alone (no workaround):
/// the Keras definition where Keras has the loss, else PyTorch's or the paper's. <see cref="TextbookLossTests"/> checks
/// each against a float64 reference of its own and counts each formula's lines.
/// </summary>
public static partial class TextbookLosses
{
    /// <summary>Mean squared error (Keras <c>mean_squared_error</c>).</summary>
    [Loss]
    static TensorExpr Mse([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Square(yPred - yTrue), axis: -1);

    /// <summary>Mean absolute error (Keras <c>mean_absolute_error</c>).</summary>
    [Loss]
    static TensorExpr Mae([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Abs(yPred - yTrue), axis: -1);

    /// <summary>Mean absolute percentage error (Keras <c>mean_absolute_percentage_error</c>).</summary>
    [Loss]
    static TensorExpr Mape([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => 100 * Mean(Abs((yTrue - yPred) / Max(Abs(yTrue), Epsilon)), axis: -1);

    /// <summary>Mean squared logarithmic error (Keras <c>mean_squared_logarithmic_error</c>).</summary>
    [Loss]
    static TensorExpr Msle([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Square(Log(Max(yPred, Epsilon) + 1) - Log(Max(yTrue, Epsilon) + 1)), axis: -1);

    /// <summary>Huber loss with threshold <paramref name="delta"/> (Keras <c>huber</c>, PyTorch <c>HuberLoss</c>).</summary>
    [Loss]
    static TensorExpr Huber([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar delta)
    {
        var error = yPred - yTrue;
        return Mean(Where(Abs(error) <= delta, 0.5 * Square(error), delta * (Abs(error) - 0.5 * delta)), axis: -1);
    }

    /// <summary>Log-cosh, as the name says (Keras <c>log_cosh</c> writes it in a form that cannot overflow).</summary>
    [Loss]
    static TensorExpr LogCosh([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Log(Cosh(yPred - yTrue)), axis: -1);

    /// <summary>Hinge loss, labels in {-1, 1} (Keras <c>hinge</c>).</summary>
    [Loss]
    static TensorExpr Hinge([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Max(1 - yTrue * yPred, 0), axis: -1);

    /// <summary>Squared hinge loss, labels in {-1, 1} (Keras <c>squared_hinge</c>).</summary>
    [Loss]
    static TensorExpr SquaredHinge([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Square(Max(1 - yTrue * yPred, 0)), axis: -1);

    /// <summary>Categorical hinge loss (Keras <c>categorical_hinge</c>).</summary>
    [Loss]
    static TensorExpr CategoricalHinge([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr yPred)
    {
        var pos = Sum(yTrue * yPred, axis: -1);
        var neg = Max((1 - yTrue) * yPred, axis: -1);
        return Max(neg - pos + 1, 0);
    }

    /// <summary>Rows scaled to unit L2 norm (Keras's <c>l2_normalize</c>: the squared norm floored at 1e-12).</summary>
    static TensorExpr L2Normalize(TensorExpr x) => x / Sqrt(Max(Sum(Square(x), axis: -1), 1e-12));

    /// <summary>Negative cosine similarity (Keras <c>cosine_similarity</c>).</summary>
    [Loss]
    static TensorExpr CosineSimilarity([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => -Sum(L2Normalize(yTrue) * L2Normalize(yPred), axis: -1);

    /// <summary>Categorical focal loss on logits with a per-class alpha (Lin et al. 2017, softmax form).</summary>
    [Loss]
    static TensorExpr CategoricalFocal([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, [Shape("C")] TensorExpr alpha, Scalar gamma)
    {
        var p = Softmax(logits, axis: -1);
        return -Sum(alpha * yTrue * Pow(1 - p, gamma) * Log(p), axis: -1);
    }

    /// <summary>Binary focal loss on logits (Lin et al. 2017; torchvision <c>sigmoid_focal_loss</c>, mean over the last axis).</summary>
    [Loss]
    static TensorExpr BinaryFocal([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr logits, Scalar alpha, Scalar gamma)
    {
        var p = Sigmoid(logits);
        var ce = -(yTrue * Log(p) + (1 - yTrue) * Log(1 - p));
        var pt = p * yTrue + (1 - p) * (1 - yTrue);
        var alphaT = alpha * yTrue + (1 - alpha) * (1 - yTrue);
        return Mean(alphaT * Pow(1 - pt, gamma) * ce, axis: -1);
    }

    /// <summary>Soft Dice loss over a segmentation map, <c>1 - (2|y·p| + s) / (|y| + |p| + s)</c> summed over every pixel and class.</summary>
    [Loss]
    static TensorExpr Dice([Shape("B", "H", "W", "C")] TensorExpr yTrue, [Shape("B", "H", "W", "C")] TensorExpr yPred, Scalar smooth)
    {
        var intersection = Sum(yTrue * yPred, axes: NonBatchAxes);
        return 1 - (2 * intersection + smooth) / (Sum(yTrue, axes: NonBatchAxes) + Sum(yPred, axes: NonBatchAxes) + smooth);
    }

    /// <summary>Tversky loss (Salehi et al. 2017) over a segmentation map: false positives weighted by alpha, false negatives by beta.</summary>
    [Loss]
    static TensorExpr Tversky([Shape("B", "H", "W", "C")] TensorExpr yTrue, [Shape("B", "H", "W", "C")] TensorExpr yPred, Scalar alpha, Scalar beta, Scalar smooth)
    {
        var tp = Sum(yTrue * yPred, axes: NonBatchAxes);
        var fp = Sum((1 - yTrue) * yPred, axes: NonBatchAxes);
        var fn = Sum(yTrue * (1 - yPred), axes: NonBatchAxes);
        return 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth);
    }

    /// <summary>Softmax cross-entropy with label smoothing written by hand: <c>y(1 - ls) + ls / C</c>.</summary>
    [Loss]
    static TensorExpr SmoothedCce([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, Scalar smoothing)
    {
        var y = yTrue * (1 - smoothing) + smoothing / Dim(logits, axis: -1);
        return -Sum(y * LogSoftmax(logits, axis: -1), axis: -1);
    }

    /// <summary>Contrastive loss (Hadsell, Chopra and LeCun 2006): similar pairs pulled together, dissimilar pushed past the margin.</summary>
    [Loss]
    static TensorExpr Contrastive([Differentiable, Shape("B", "D")] TensorExpr x1, [Differentiable, Shape("B", "D")] TensorExpr x2, [Shape("B")] TensorExpr similar, Scalar margin)
    {
        var distance = Sqrt(Sum(Square(x1 - x2), axis: -1));
        return 0.5 * similar * Square(distance) + 0.5 * (1 - similar) * Square(Max(margin - distance, 0));
    }

    /// <summary>PyTorch's <c>BCEWithLogitsLoss(pos_weight)</c>: one weight per class for the positive term.</summary>
    [Loss]
    static TensorExpr PosWeightBce([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, [Shape("C")] TensorExpr posWeight)
        => Mean(-(posWeight * yTrue * Log(Sigmoid(logits)) + (1 - yTrue) * Log(1 - Sigmoid(logits))), axis: -1);

    /// <summary>PyTorch's <c>PoissonNLLLoss(log_input=True, full=False)</c>: the prediction is the log of the rate.</summary>
    [Loss]
    static TensorExpr PoissonNll([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr logRate)
        => Mean(Exp(logRate) - yTrue * logRate, axis: -1);

    /// <summary>PyTorch's <c>GaussianNLLLoss(full=True, eps=1e-6)</c>, a variance per element.</summary>
    [Loss]
    static TensorExpr GaussianNll([Shape("B", "N")] TensorExpr yTrue, [Differentiable, Shape("B", "N")] TensorExpr mean, [Differentiable, Shape("B", "N")] TensorExpr variance)
    {
        var v = Max(variance, 1e-6);
        return Mean(0.5 * (Log(v) + Square(mean - yTrue) / v) + 0.5 * Math.Log(2 * Math.PI), axis: -1);
    }

    /// <summary>Pinball (quantile) loss for the quantile <paramref name="tau"/>.</summary>
    [Loss]
    static TensorExpr Pinball([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar tau)
    {
        var error = yTrue - yPred;
        return Mean(Max(tau * error, (tau - 1) * error), axis: -1);
    }
}
