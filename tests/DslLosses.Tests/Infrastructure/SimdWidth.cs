using System;
using System.Runtime.Intrinsics;
using DslLosses.Kernels;
using Xunit;

namespace DslLosses.Tests.Infrastructure;

/// <summary>
/// The vector widths the kernels have paths for, in bits. A test of one width runs only where that width is
/// hardware-accelerated and otherwise reports itself skipped, naming the width: a width the machine lacks (or that a
/// <c>DOTNET_Enable*</c> setting turned off) would run on the software fallback, which no kernel takes, and pass
/// without testing anything. <c>.ci/run</c> runs the kernel tests again with <c>DOTNET_EnableAVX512=0</c>,
/// <c>DOTNET_EnableAVX2=0</c> and <c>DOTNET_EnableHWIntrinsic=0</c>, so every width's path is tested on any machine.
/// </summary>
public static class SimdWidth
{
    /// <summary>Every width, widest first: the data of a theory run once per width.</summary>
    public static readonly TheoryData<int> All = new() { 512, 256, 128 };

    /// <summary>Whether <c>Vector{bits}</c> is hardware-accelerated in this process.</summary>
    public static bool IsAccelerated(int bits) => bits switch
    {
        512 => Vector512.IsHardwareAccelerated,
        256 => Vector256.IsHardwareAccelerated,
        128 => Vector128.IsHardwareAccelerated,
        _ => throw new ArgumentOutOfRangeException(nameof(bits), bits, "a width is 512, 256 or 128 bits"),
    };

    /// <summary>Skips the calling test (a <c>[SkippableFact]</c> or <c>[SkippableTheory]</c>) unless <c>Vector{bits}</c> is accelerated.</summary>
    public static void Require(int bits)
        => Skip.IfNot(IsAccelerated(bits), $"Vector{bits}.IsHardwareAccelerated is false in this process (the CPU lacks the instructions, or a "
            + $"DOTNET_Enable* setting such as {Setting(bits)}=0 turned them off): the Vector{bits} path is not tested here");

    /// <summary>
    /// One <c>Vector512</c> of values through the function of width <paramref name="bits"/>: one Vector512, or the same
    /// elements as two Vector256 or four Vector128 (16 floats, 8 doubles).
    /// </summary>
    public static T[] Run<T>(int bits, T[] block, Func<Vector512<T>, Vector512<T>> v512, Func<Vector256<T>, Vector256<T>> v256, Func<Vector128<T>, Vector128<T>> v128)
    {
        var r = new T[Vector512<T>.Count];
        switch (bits)
        {
            case 512:
                v512(Vector512.Create(block)).CopyTo(r);
                break;
            case 256:
                for (int i = 0; i < r.Length; i += Vector256<T>.Count)
                    v256(Vector256.Create(block, i)).CopyTo(r, i);
                break;
            default:
                for (int i = 0; i < r.Length; i += Vector128<T>.Count)
                    v128(Vector128.Create(block, i)).CopyTo(r, i);
                break;
        }
        return r;
    }

    /// <summary>
    /// One <c>Vector512</c> of floats through the float lanes' operation of width <paramref name="bits"/>
    /// (<see cref="Float512"/>, <see cref="Float256"/> or <see cref="Float128"/>), as <see cref="Run{T}"/>.
    /// </summary>
    public static float[] Run(int bits, float[] block, Func<Float512, Float512> v512, Func<Float256, Float256> v256, Func<Float128, Float128> v128)
        => Run(bits, block, v => v512(new(v)).Value, v => v256(new(v)).Value, v => v128(new(v)).Value);

    /// <summary>
    /// One <c>Vector512</c> of doubles through the double lanes' operation of width <paramref name="bits"/>
    /// (<see cref="Double512"/>, <see cref="Double256"/> or <see cref="Double128"/>), as <see cref="Run{T}"/>.
    /// </summary>
    public static double[] Run(int bits, double[] block, Func<Double512, Double512> v512, Func<Double256, Double256> v256, Func<Double128, Double128> v128)
        => Run(bits, block, v => v512(new(v)).Value, v => v256(new(v)).Value, v => v128(new(v)).Value);

    /// <summary>The setting that turns this width off and keeps the narrower ones (.NET 10 names).</summary>
    private static string Setting(int bits) => bits switch
    {
        512 => "DOTNET_EnableAVX512",
        256 => "DOTNET_EnableAVX2",
        _ => "DOTNET_EnableHWIntrinsic",
    };
}
