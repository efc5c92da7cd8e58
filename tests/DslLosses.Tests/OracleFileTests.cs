using System.IO;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

public class OracleFileTests
{
    /// <summary>The copy under tests/ is what the tests read; it must not drift from the shared oracle when that is present.</summary>
    [Fact]
    public void Copy_equals_shared_oracle_when_present()
    {
        string? dir = Path.GetDirectoryName(typeof(OracleFileTests).Assembly.Location);
        string? shared = null;
        for (DirectoryInfo? d = new(dir!); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "oracle", "keras_vectors.json");
            if (File.Exists(candidate))
            {
                shared = candidate;
                break;
            }
        }
        Assert.True(File.Exists(Oracle.CopyPath), "the oracle copy is missing from the test output");
        if (shared is null)
            return; // a user's clone has no ../shared: the copy is the reference
        Assert.Equal(File.ReadAllBytes(shared), File.ReadAllBytes(Oracle.CopyPath));
    }

    [Fact]
    public void Copy_parses_into_every_case()
    {
        Assert.Equal(93, Oracle.Cases.Value.Count);
    }
}
