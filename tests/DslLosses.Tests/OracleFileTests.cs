using System.IO;
using System.Linq;
using DslLosses.Tests.Infrastructure;
using Xunit;

namespace DslLosses.Tests;

public class OracleFileTests
{
    /// <summary>The copy under tests/ is what the tests read; it must not drift from the shared oracle when that is present.</summary>
    [Theory]
    [InlineData("keras_vectors.json")]
    [InlineData("keras_vectors_catalogue.json")]
    public void Copy_equals_shared_oracle_when_present(string fileName)
    {
        string? dir = Path.GetDirectoryName(typeof(OracleFileTests).Assembly.Location);
        string? shared = null;
        for (DirectoryInfo? d = new(dir!); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "oracle", fileName);
            if (File.Exists(candidate))
            {
                shared = candidate;
                break;
            }
        }
        Assert.True(File.Exists(Oracle.PathOf(fileName)), $"the oracle copy {fileName} is missing from the test output");
        if (shared is null)
            return; // a user's clone has no ../shared: the copy is the reference
        Assert.Equal(File.ReadAllBytes(shared), File.ReadAllBytes(Oracle.PathOf(fileName)));
    }

    [Theory]
    [InlineData("keras_vectors.json", 93)]
    [InlineData("keras_vectors_catalogue.json", 86)]
    public void Copy_parses_into_every_case(string fileName, int count)
    {
        Assert.Equal(count, Oracle.Load(Oracle.PathOf(fileName)).Count);
        Assert.Equal(Oracle.Cases.Value.Count, Oracle.Cases.Value.Select(c => c.Id).Distinct().Count());
    }
}
