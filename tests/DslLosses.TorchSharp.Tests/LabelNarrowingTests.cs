using System;
using System.Linq;
using Xunit;

namespace DslLosses.TorchBridge.Tests;

/// <summary>The bridge's narrowing of int64 class indices: whole vectors and the scalar tail, checked against a plain loop.</summary>
public class LabelNarrowingTests
{
    [Fact]
    public void Every_length_narrows_as_a_plain_loop_does()
    {
        var random = new Random(5);
        for (int n = 0; n <= 70; n++)
        {
            long[] source = Enumerable.Range(0, n).Select(_ => (long)random.Next(int.MinValue, int.MaxValue)).ToArray();
            if (n > 1)
            {
                source[0] = int.MinValue;
                source[n - 1] = int.MaxValue;
            }
            int[] destination = new int[n];
            Assert.True(ClassIndexLabels.TryNarrow(source, destination), $"length {n}");
            Assert.Equal(source.Select(v => checked((int)v)).ToArray(), destination);
        }
    }

    [Fact]
    public void A_value_outside_the_int_range_at_any_position_is_reported()
    {
        foreach (long outside in new[] { (long)int.MaxValue + 1, (long)int.MinValue - 1, long.MaxValue, long.MinValue, 1L << 32 })
        {
            for (int n = 1; n <= 40; n++)
            {
                for (int at = 0; at < n; at++)
                {
                    long[] source = new long[n];
                    source[at] = outside;
                    Assert.False(ClassIndexLabels.TryNarrow(source, new int[n]), $"{outside} at {at} of {n}");
                }
            }
        }
    }
}
