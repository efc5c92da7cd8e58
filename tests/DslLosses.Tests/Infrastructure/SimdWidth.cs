using System;
using System.Runtime.Intrinsics;
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

    /// <summary>16 floats through the function of width <paramref name="bits"/>: one Vector512, two Vector256 or four Vector128.</summary>
    public static float[] Run(int bits, float[] block,
        Func<Vector512<float>, Vector512<float>> v512, Func<Vector256<float>, Vector256<float>> v256, Func<Vector128<float>, Vector128<float>> v128)
    {
        var r = new float[16];
        switch (bits)
        {
            case 512:
                v512(Vector512.Create(block)).CopyTo(r);
                break;
            case 256:
                v256(Vector256.Create(block, 0)).CopyTo(r, 0);
                v256(Vector256.Create(block, 8)).CopyTo(r, 8);
                break;
            default:
                for (int i = 0; i < 16; i += 4)
                    v128(Vector128.Create(block, i)).CopyTo(r, i);
                break;
        }
        return r;
    }

    /// <summary>8 doubles through the function of width <paramref name="bits"/>: one Vector512, two Vector256 or four Vector128.</summary>
    public static double[] Run(int bits, double[] block,
        Func<Vector512<double>, Vector512<double>> v512, Func<Vector256<double>, Vector256<double>> v256, Func<Vector128<double>, Vector128<double>> v128)
    {
        var r = new double[8];
        switch (bits)
        {
            case 512:
                v512(Vector512.Create(block)).CopyTo(r);
                break;
            case 256:
                v256(Vector256.Create(block, 0)).CopyTo(r, 0);
                v256(Vector256.Create(block, 4)).CopyTo(r, 4);
                break;
            default:
                for (int i = 0; i < 8; i += 2)
                    v128(Vector128.Create(block, i)).CopyTo(r, i);
                break;
        }
        return r;
    }

    /// <summary>The setting that turns this width off and keeps the narrower ones (.NET 10 names).</summary>
    private static string Setting(int bits) => bits switch
    {
        512 => "DOTNET_EnableAVX512",
        256 => "DOTNET_EnableAVX2",
        _ => "DOTNET_EnableHWIntrinsic",
    };
}
