using System;
using System.Numerics;
using System.Numerics.Tensors;

namespace DslLosses.Benchmarks;

/// <summary>
/// The peers that are not libraries: a naive loop (in <c>float</c>, or in <c>double</c> as the accuracy reference), the
/// same formula composed from <see cref="TensorPrimitives"/> calls with scratch buffers, and the bandwidth floor.
/// </summary>
public static class Baselines
{
    /// <summary>The Keras formula of <paramref name="loss"/>, mean over the batch, as a plain loop in <typeparamref name="T"/>.</summary>
    public static T Naive<T>(Loss loss, Inputs d) where T : IFloatingPointIeee754<T>
    {
        T eps = T.CreateChecked(1e-7f), one = T.One;
        int rows = d.Rows, cols = d.Columns;
        T total = T.Zero;
        for (int r = 0; r < rows; r++)
        {
            int o = r * cols;
            T row = T.Zero;
            switch (loss)
            {
                case Loss.BceProbs:
                    for (int c = 0; c < cols; c++)
                    {
                        T y = T.CreateChecked(d.YTrue[o + c]), p = T.Clamp(T.CreateChecked(d.YPred[o + c]), eps, one - eps);
                        row -= y * T.Log(p + eps) + (one - y) * T.Log(one - p + eps);
                    }
                    row /= T.CreateChecked(cols);
                    break;
                case Loss.BceLogits:
                    for (int c = 0; c < cols; c++)
                    {
                        T z = T.CreateChecked(d.YTrue[o + c]), x = T.CreateChecked(d.YPred[o + c]);
                        row += T.Max(x, T.Zero) - x * z + T.LogP1(T.Exp(-T.Abs(x)));
                    }
                    row /= T.CreateChecked(cols);
                    break;
                case Loss.CceProbs:
                {
                    T sum = T.Zero;
                    for (int c = 0; c < cols; c++)
                        sum += T.CreateChecked(d.YPred[o + c]);
                    for (int c = 0; c < cols; c++)
                        row -= T.CreateChecked(d.YTrue[o + c]) * T.Log(T.Clamp(T.CreateChecked(d.YPred[o + c]) / sum, eps, one - eps));
                    break;
                }
                case Loss.CceLogits or Loss.SparseCceLogits:
                {
                    T max = T.NegativeInfinity, sum = T.Zero;
                    for (int c = 0; c < cols; c++)
                        max = T.Max(max, T.CreateChecked(d.YPred[o + c]));
                    for (int c = 0; c < cols; c++)
                        sum += T.Exp(T.CreateChecked(d.YPred[o + c]) - max);
                    T lse = T.Log(sum) + max;
                    if (loss == Loss.SparseCceLogits)
                    {
                        row = lse - T.CreateChecked(d.YPred[o + d.Labels[r]]);
                    }
                    else
                    {
                        for (int c = 0; c < cols; c++)
                            row += T.CreateChecked(d.YTrue[o + c]) * (lse - T.CreateChecked(d.YPred[o + c]));
                    }
                    break;
                }
                case Loss.Poisson:
                    for (int c = 0; c < cols; c++)
                    {
                        T y = T.CreateChecked(d.YTrue[o + c]), p = T.CreateChecked(d.YPred[o + c]);
                        row += p - y * T.Log(p + eps);
                    }
                    row /= T.CreateChecked(cols);
                    break;
                case Loss.KLDivergence:
                    for (int c = 0; c < cols; c++)
                    {
                        T y = T.Clamp(T.CreateChecked(d.YTrue[o + c]), eps, one), p = T.Clamp(T.CreateChecked(d.YPred[o + c]), eps, one);
                        row += y * T.Log(y / p);
                    }
                    break;
            }
            total += row;
        }
        return total / T.CreateChecked(rows);
    }

    /// <summary>Scratch buffers for <see cref="Composed"/>, allocated once.</summary>
    public sealed class Scratch(int n)
    {
        public readonly float[] A = new float[n], B = new float[n], C = new float[n];
    }

    /// <summary>The formula as a chain of <see cref="TensorPrimitives"/> calls (whole-array float sums, as one would write it).</summary>
    public static float Composed(Loss loss, Inputs d, Scratch s)
    {
        const float eps = 1e-7f;
        int rows = d.Rows, cols = d.Columns, n = rows * cols;
        ReadOnlySpan<float> y = d.YTrue, p = d.YPred;
        Span<float> a = s.A, b = s.B, c = s.C;
        switch (loss)
        {
            case Loss.BceProbs:
                TensorPrimitives.Min(p, 1 - eps, a);
                TensorPrimitives.Max(a, eps, a);
                TensorPrimitives.Add(a, eps, b);
                TensorPrimitives.Log(b, b);                      // log(p + eps)
                TensorPrimitives.Subtract(1 + eps, a, a);
                TensorPrimitives.Log(a, a);                      // log(1 - p + eps)
                TensorPrimitives.Multiply(y, a, c);
                return -(TensorPrimitives.Dot(y, b) + TensorPrimitives.Sum(a) - TensorPrimitives.Sum(c)) / n;
            case Loss.BceLogits:
                TensorPrimitives.Abs(p, a);
                TensorPrimitives.Negate(a, a);
                TensorPrimitives.Exp(a, a);
                TensorPrimitives.Add(a, 1f, a);
                TensorPrimitives.Log(a, a);
                TensorPrimitives.Max(p, 0f, b);
                return (TensorPrimitives.Sum(b) - TensorPrimitives.Dot(p, y) + TensorPrimitives.Sum(a)) / n;
            case Loss.CceProbs:
            {
                float total = 0;
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<float> pr = p.Slice(r * cols, cols);
                    Span<float> ar = a.Slice(r * cols, cols);
                    TensorPrimitives.Divide(pr, TensorPrimitives.Sum(pr), ar);
                    TensorPrimitives.Min(ar, 1 - eps, ar);
                    TensorPrimitives.Max(ar, eps, ar);
                    TensorPrimitives.Log(ar, ar);
                    total -= TensorPrimitives.Dot(y.Slice(r * cols, cols), ar);
                }
                return total / rows;
            }
            case Loss.CceLogits or Loss.SparseCceLogits:
            {
                float total = 0;
                for (int r = 0; r < rows; r++)
                {
                    ReadOnlySpan<float> xr = p.Slice(r * cols, cols);
                    Span<float> ar = a.Slice(r * cols, cols), br = b.Slice(r * cols, cols);
                    float max = TensorPrimitives.Max(xr);
                    TensorPrimitives.Subtract(xr, max, ar);
                    TensorPrimitives.Exp(ar, br);
                    float lse = MathF.Log(TensorPrimitives.Sum(br));
                    total += loss == Loss.SparseCceLogits
                        ? lse - ar[d.Labels[r]]
                        : lse * TensorPrimitives.Sum(y.Slice(r * cols, cols)) - TensorPrimitives.Dot(y.Slice(r * cols, cols), ar);
                }
                return total / rows;
            }
            case Loss.Poisson:
                TensorPrimitives.Add(p, eps, a);
                TensorPrimitives.Log(a, a);
                return (TensorPrimitives.Sum(p) - TensorPrimitives.Dot(y, a)) / n;
            case Loss.KLDivergence:
                TensorPrimitives.Max(y, eps, a);
                TensorPrimitives.Min(a, 1f, a);
                TensorPrimitives.Max(p, eps, b);
                TensorPrimitives.Min(b, 1f, b);
                TensorPrimitives.Divide(a, b, c);
                TensorPrimitives.Log(c, c);
                return TensorPrimitives.Dot(a, c) / rows;
            default:
                throw new ArgumentOutOfRangeException(nameof(loss));
        }
    }

    /// <summary>The memory floor: a vectorised sum over the same input bytes the loss reads.</summary>
    public static float Floor(Loss loss, Inputs d)
        => loss == Loss.SparseCceLogits
            ? TensorPrimitives.Sum<float>(d.YPred) + TensorPrimitives.Sum<int>(d.Labels)
            : TensorPrimitives.Sum<float>(d.YTrue) + TensorPrimitives.Sum<float>(d.YPred);
}
