using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace DslLosses.Tests.Infrastructure;

/// <summary>
/// Verify's convention without Verify: <c>Snapshots/{name}.verified.cs</c> is committed; a mismatch writes
/// <c>{name}.received.cs</c> beside it and fails. Set <c>DSLLOSSES_ACCEPT_SNAPSHOTS=1</c> to accept the received text.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "DSLLOSSES_ACCEPT_SNAPSHOTS";

    public static void Match(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received))
                File.Delete(received);
            return;
        }
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, actual);
            if (File.Exists(received))
                File.Delete(received);
            return;
        }
        Directory.CreateDirectory(directory);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}. Review {received} and accept it with {AcceptVariable}=1."
            : $"Snapshot {name} differs at line {FirstDifference(expected, actual)}. Review {received} (diff it against the .verified.cs) and accept with {AcceptVariable}=1.");
    }

    private static int FirstDifference(string a, string b)
    {
        string[] x = a.Split('\n'), y = b.Split('\n');
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (x[i] != y[i])
                return i + 1;
        }
        return Math.Min(x.Length, y.Length) + 1;
    }
}
