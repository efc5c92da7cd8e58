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
            [Loss] static TensorExpr Bce([Shape("B", "N")] TensorExpr y, [Shape("B", "N")] TensorExpr p)
                => Mean(-(y * Log(Clip(p, Epsilon, 1 - Epsilon)) + (1 - y) * Log(1 - Clip(p, Epsilon, 1 - Epsilon))), -1);
            [Loss] static TensorExpr Se([Shape("...")] TensorExpr y, [Shape("...")] TensorExpr p) => Square(y - p);
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

    // ---- reading a formula again: only when its file was edited or a name it uses means something else

    private const string Scaled = GeneratorHarness.Usings + """
        public static partial class L
        {
            [Loss] static TensorExpr Scaled([Shape("...")] TensorExpr y, [Shape("...")] TensorExpr p) => Consts.Alpha * Square(y - p);
            [Loss] static TensorExpr Se([Shape("...")] TensorExpr y, [Shape("...")] TensorExpr p) => Square(y - p);
        }
        """;

    /// <summary>Runs <paramref name="generator"/> on <paramref name="compilation"/> and on the edit of its last file; returns both generated sources.</summary>
    private static (string Before, string After) RunThenEditLastFile(LossGenerator generator, CSharpCompilation compilation, string lastFileAfterEdit, out int readBefore)
    {
        GeneratorDriver driver = GeneratorHarness.Driver(generator).RunGenerators(compilation);
        string before = driver.GetRunResult().GeneratedTrees.Single().ToString();
        readBefore = generator.FullReadings;
        SyntaxTree last = compilation.SyntaxTrees.Last();
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(last,
            CSharpSyntaxTree.ParseText(lastFileAfterEdit, GeneratorHarness.ParseOptions, last.FilePath)));
        return (before, string.Concat(driver.GetRunResult().GeneratedTrees.Select(t => t.ToString())));
    }

    [Fact]
    public void An_unrelated_edit_reads_no_formula_again()
    {
        var generator = new LossGenerator();
        (string before, string after) = RunThenEditLastFile(generator,
            GeneratorHarness.Compile(Scaled, "public static class Consts { public const double Alpha = 0.25; }", "public class Other { public int X => 1; }"),
            "// an edit\npublic class Other { public int X => 2; public static double Alpha => 3; }", out int readBefore);
        Assert.Equal(2, readBefore);
        Assert.Equal(2, generator.FullReadings);
        Assert.Equal(before, after);
    }

    [Fact]
    public void A_constant_edited_in_another_file_reads_the_formula_that_uses_it_again()
    {
        var generator = new LossGenerator();
        (string before, string after) = RunThenEditLastFile(generator,
            GeneratorHarness.Compile(Scaled, "public static class Consts { public const double Alpha = 0.25; }"),
            "public static class Consts { public const double Alpha = 0.75; }", out int readBefore);
        Assert.Equal(2, readBefore);
        Assert.Equal(3, generator.FullReadings);
        Assert.Contains("0.25", before);
        Assert.DoesNotContain("0.25", after);
        Assert.Contains("0.75", after);
    }

    [Fact]
    public void A_member_in_another_part_that_hides_a_dsl_function_reads_the_formulas_again()
    {
        // L.Square(double) hides the DSL's Square inside L: both formulas stop compiling, and the generator emits nothing
        var generator = new LossGenerator();
        (string before, string after) = RunThenEditLastFile(generator,
            GeneratorHarness.Compile(Scaled, "public static class Consts { public const double Alpha = 0.25; }", "public static partial class L { }"),
            "public static partial class L { static double Square(double x) => x * x; }", out int readBefore);
        Assert.Equal(2, readBefore);
        Assert.Equal(4, generator.FullReadings);
        Assert.Contains("Scaled", before);
        Assert.Equal("", after);
    }

    [Fact]
    public void A_global_using_added_in_another_file_reads_every_formula_again()
    {
        var generator = new LossGenerator();
        (string before, string after) = RunThenEditLastFile(generator,
            GeneratorHarness.Compile(Scaled, "public static class Consts { public const double Alpha = 0.25; }", "public class Other { }"),
            "global using static System.Math;\npublic class Other { }", out int readBefore);
        Assert.Equal(2, readBefore);
        Assert.Equal(4, generator.FullReadings);
        Assert.NotEqual("", before);
    }

    [Fact]
    public void A_global_type_System_added_in_another_file_reads_every_formula_again()
    {
        // a type System in the global namespace hides global::System, which the generated code names (DSL0408): both
        // formulas are refused and the generator emits nothing
        var generator = new LossGenerator();
        (string before, string after) = RunThenEditLastFile(generator,
            GeneratorHarness.Compile(Scaled, "public static class Consts { public const double Alpha = 0.25; }", "public class Other { }"),
            "public class Other { }\npublic class System { }", out int readBefore);
        Assert.Equal(2, readBefore);
        Assert.Equal(4, generator.FullReadings);
        Assert.Contains("Scaled", before);
        Assert.Equal("", after);
    }

    [Fact]
    public void A_helper_edited_in_another_part_reads_the_formula_that_inlines_it_again()
    {
        // Tail inlines the helper Shift, declared in another part of L: its body is part of the formula
        const string tail = GeneratorHarness.Usings + """
            public static partial class L
            {
                [Loss] static TensorExpr Tail([Shape("...")] TensorExpr y, [Shape("...")] TensorExpr p) => Shift(y - p);
                [Loss] static TensorExpr Se([Shape("...")] TensorExpr y, [Shape("...")] TensorExpr p) => Square(y - p);
            }
            """;
        var generator = new LossGenerator();
        (string before, string after) = RunThenEditLastFile(generator,
            GeneratorHarness.Compile(tail, GeneratorHarness.Usings + "public static partial class L { static TensorExpr Shift(TensorExpr t) => Square(t) + 0.25; }"),
            GeneratorHarness.Usings + "public static partial class L { static TensorExpr Shift(TensorExpr t) => Square(t) + 0.75; }", out int readBefore);
        Assert.Equal(2, readBefore);
        Assert.Equal(3, generator.FullReadings);
        Assert.Contains("0.25", before);
        Assert.DoesNotContain("0.25", after);
        Assert.Contains("0.75", after);
    }

    [Fact]
    public void An_overload_in_another_part_that_becomes_a_formula_reads_the_formula_of_that_name_again()
    {
        // two [Loss] methods named Se in L are an error (DSL0405): both are refused, Scaled stays and is not read again
        var generator = new LossGenerator();
        (string before, string after) = RunThenEditLastFile(generator,
            GeneratorHarness.Compile(Scaled, "public static class Consts { public const double Alpha = 0.25; }",
                GeneratorHarness.Usings + "public static partial class L { static TensorExpr Se([Shape(\"...\")] TensorExpr y) => Square(y); }"),
            GeneratorHarness.Usings + "public static partial class L { [Loss] static TensorExpr Se([Shape(\"...\")] TensorExpr y) => Square(y); }", out int readBefore);
        Assert.Equal(2, readBefore);
        Assert.Equal(4, generator.FullReadings);
        Assert.Contains(" Se(", before);
        Assert.DoesNotContain(" Se(", after);
        Assert.Contains("Scaled(", after);
    }
}
