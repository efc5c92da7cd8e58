using System.Linq;
using DslLosses.Generator;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace DslLosses.Tests;

/// <summary>An edit that does not touch a formula re-runs nothing: every step reports Cached or Unchanged.</summary>
public class GeneratorIncrementalityTests
{
    private const string Formulas = GeneratorHarness.Usings + """
        public static partial class L
        {
            [Loss] static Tensor Bce([Shape("B", "N")] Tensor y, [Shape("B", "N")] Tensor p)
                => Mean(-(y * Log(Clip(p, Epsilon, 1 - Epsilon)) + (1 - y) * Log(1 - Clip(p, Epsilon, 1 - Epsilon))), -1);
            [Loss] static Tensor Se([Shape("...")] Tensor y, [Shape("...")] Tensor p) => Square(y - p);
        }
        """;

    [Fact]
    public void Unrelated_edit_leaves_every_step_cached()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Formulas, "public class Other { public int X => 1; }");
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        Assert.Single(driver.GetRunResult().GeneratedTrees);

        SyntaxTree other = compilation.SyntaxTrees.Last();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(other,
            CSharpSyntaxTree.ParseText("public class Other { public int X => 2; public int Y => 3; }", GeneratorHarness.ParseOptions, other.FilePath));
        driver = driver.RunGenerators(edited);

        AssertNothingRerun(driver.GetRunResult().Results.Single(), LossGenerator.Steps.Parse, LossGenerator.Steps.Lower, LossGenerator.Steps.Group);
    }

    /// <summary>Every output of <paramref name="steps"/> is Cached or Unchanged, and every source output Cached.</summary>
    private static void AssertNothingRerun(GeneratorRunResult result, params string[] steps)
    {
        foreach (string step in steps)
        {
            Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} is not tracked");
            var reasons = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Editing_a_formula_regenerates_it()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Formulas);
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText(Formulas.Replace("Square(y - p)", "Abs(y - p)"), GeneratorHarness.ParseOptions, tree.FilePath));
        driver = driver.RunGenerators(edited);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        var lowered = result.TrackedSteps[LossGenerator.Steps.Lower].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        // the edited formula is lowered again, the other one not
        Assert.Equal(2, lowered.Count);
        Assert.Equal(1, lowered.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, lowered.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
        Assert.Contains("TL.Abs(", result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void A_comment_in_the_formula_file_re_emits_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Formulas);
        GeneratorDriver driver = GeneratorHarness.Driver(trackSteps: true).RunGenerators(compilation);
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        // a comment above everything: every formula moves, none changes
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(tree,
            CSharpSyntaxTree.ParseText("// a note on these losses\n" + Formulas, GeneratorHarness.ParseOptions, tree.FilePath));
        driver = driver.RunGenerators(edited);

        AssertNothingRerun(driver.GetRunResult().Results.Single(), LossGenerator.Steps.Lower, LossGenerator.Steps.Group);
    }
}
