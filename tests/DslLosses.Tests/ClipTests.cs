using System;
using System.Numerics.Tensors;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// <c>Clip(x, lo, hi)</c> is TensorFlow's <c>clip_by_value</c>: <c>max(min(x, hi), lo)</c>, so where lo &gt; hi the
/// lower bound wins; the gradient is that of the value. Checked on numbers on the vector and the scalar path.
/// </summary>
[Trait("Category", "Kernels")]
public class ClipTests
{
    // 2 rows of 20: every case below sits in both the whole vectors and the tail of every width
    private const int B = 2, N = 20;

    private static (double[] X, double[] Lo, double[] Hi) Inputs()
    {
        var x = new double[B * N];
        var lo = new double[B * N];
        var hi = new double[B * N];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i % 7) - 3;                    // -3 .. 3
            bool crossed = i % 3 == 0;              // a third of the entries have lo > hi
            lo[i] = crossed ? 1.5 : -1;
            hi[i] = crossed ? -0.5 : 2;
        }
        x[5] = double.NaN;
        return (x, lo, hi);
    }

    [Fact]
    public void Lower_bound_wins_when_the_bounds_cross_in_float_and_double()
    {
        (double[] x, double[] lo, double[] hi) = Inputs();
        nint[] shape = { B, N };
        var expected = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            // worked by hand: above hi the value is hi, then below lo it is lo; crossed bounds give lo
            double upper = double.IsNaN(x[i]) ? double.NaN : x[i] > hi[i] ? hi[i] : x[i];
            expected[i] = double.IsNaN(upper) ? double.NaN : upper < lo[i] ? lo[i] : upper;
        }
        Assert.Equal(1.5, expected[0]);  // x = -3, lo 1.5 > hi -0.5
        Assert.Equal(1.5, expected[3]);  // x = 0
        Assert.Equal(1.5, expected[6]);  // x = 3

        Tensor<double> d = TestFormulas.ClipBoundsPerSample(new ReadOnlyTensorSpan<double>(x, shape, default), new ReadOnlyTensorSpan<double>(lo, shape, default), new ReadOnlyTensorSpan<double>(hi, shape, default));
        float[] F(double[] a) => Array.ConvertAll(a, v => (float)v);
        Tensor<float> f = TestFormulas.ClipBoundsPerSample(new ReadOnlyTensorSpan<float>(F(x), shape, default), new ReadOnlyTensorSpan<float>(F(lo), shape, default), new ReadOnlyTensorSpan<float>(F(hi), shape, default));
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(expected[i], d[i / N, i % N]);
            Assert.Equal((float)expected[i], f[i / N, i % N]);
        }
    }

    [Fact]
    public void Gradient_goes_to_the_lower_bound_wherever_the_value_is_the_lower_bound()
    {
        (double[] x, double[] lo, double[] hi) = Inputs();
        nint[] shape = { B, N };
        var grad = new double[x.Length];
        TestFormulas.ClipBoundsGradient(new ReadOnlyTensorSpan<double>(x, shape, default), new ReadOnlyTensorSpan<double>(lo, shape, default), new ReadOnlyTensorSpan<double>(hi, shape, default),
            new TensorSpan<double>(grad, shape, default), Reduction.Sum);
        for (int i = 0; i < x.Length; i++)
        {
            if (double.IsNaN(x[i]))
                continue;
            // d/dlo of max(min(x, hi), lo): 1 where the value is lo (x below lo, or crossed bounds), else 0
            double value = Math.Max(Math.Min(x[i], hi[i]), lo[i]);
            double expected = x[i] < lo[i] || hi[i] < lo[i] ? 1 : 0;
            Assert.True(expected == grad[i], $"entry {i}: x {x[i]}, lo {lo[i]}, hi {hi[i]}, value {value}: gradient {grad[i]}, expected {expected}");
            // and a central difference agrees away from the kinks
            if (Math.Abs(x[i] - lo[i]) > 0.01 && Math.Abs(x[i] - hi[i]) > 0.01)
            {
                double up = Math.Max(Math.Min(x[i], hi[i]), lo[i] + 1e-6), down = Math.Max(Math.Min(x[i], hi[i]), lo[i] - 1e-6);
                Assert.Equal(expected, (up - down) / 2e-6, 6);
            }
        }
    }
}
