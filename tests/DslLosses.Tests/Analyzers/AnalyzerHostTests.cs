using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using DslLosses.Analyzers;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace DslLosses.Tests.Analyzers;

/// <summary>The analyzers next to the generator: generated kernels, descriptors, Roslyn floor.</summary>
public class AnalyzerHostTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> All = ImmutableArray.Create<DiagnosticAnalyzer>(
        new ShapeAnalyzer(), new LabelSmoothingAnalyzer(), new LogitsAnalyzer(), new FormulaAnalyzer());

    private const string Consumer = GeneratorHarness.Usings + """
        public static partial class MyLosses
        {
            [Loss]
            static TensorExpr FocalBce([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
            {
                var p = Clip(yPred, Epsilon, 1 - Epsilon);
                var pt = yTrue * p + (1 - yTrue) * (1 - p);
                return Mean(-Pow(1 - pt, gamma) * Log(pt), axis: -1);
            }

            [Loss]
            static TensorExpr Nll([Shape("...", "C")] TensorExpr logits, [Shape("...")] Indices labels)
                => -Gather(LogSoftmax(logits, axis: -1), labels, axis: -1);
        }

        class Use
        {
            float M() => MyLosses.FocalBce(new float[2, 3], new float[4, 3], 2f);
        }
        """;

    [Fact]
    public async Task Generated_kernels_get_no_analyzer_diagnostics()
    {
        CSharpCompilationWithGenerated(out Compilation compilation, out int generatedTrees);
        Assert.True(generatedTrees > 0);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        ImmutableArray<Diagnostic> diagnostics = await compilation.WithAnalyzers(All).GetAnalyzerDiagnosticsAsync();

        // the one mismatch in the consumer's code is found, and nothing in the thousands of generated lines
        Diagnostic single = Assert.Single(diagnostics);
        Assert.Equal("DSL0106", single.Id);
        Assert.Equal("Source0.cs", single.Location.SourceTree!.FilePath);
        Assert.Contains("MyLosses.FocalBce", single.GetMessage());
        Assert.Contains("[2, 3]", single.GetMessage());
        Assert.Contains("[4, 3]", single.GetMessage());
    }

    private static void CSharpCompilationWithGenerated(out Compilation compilation, out int generatedTrees)
    {
        Compilation input = GeneratorHarness.Compile(Consumer);
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(input, out compilation, out _);
        generatedTrees = compilation.SyntaxTrees.Count() - input.SyntaxTrees.Count();
    }

    [Fact]
    public void Every_descriptor_has_a_help_page_link_and_a_release_line()
    {
        var descriptors = All.SelectMany(a => a.SupportedDiagnostics).ToList();
        Assert.Equal(descriptors.Count, descriptors.Select(d => d.Id).Distinct().Count());
        string unshipped = System.IO.File.ReadAllText(System.IO.Path.Combine(RepoRoot(), "generator", "DslLosses.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (DiagnosticDescriptor d in descriptors)
        {
            Assert.Equal($"https://github.com/DslLosses/DslLosses/blob/main/docs/diagnostics/{d.Id}.md", d.HelpLinkUri);
            Assert.True(System.IO.File.Exists(System.IO.Path.Combine(RepoRoot(), "docs", "diagnostics", d.Id + ".md")), d.Id + " has no help page");
            Assert.Contains($"{d.Id} | {d.Category} | {d.DefaultSeverity}", unshipped);
        }
    }

    [Fact]
    public void Analyzer_assemblies_reference_no_Roslyn_newer_than_the_floor()
    {
        foreach (Assembly assembly in new[] { typeof(ShapeAnalyzer).Assembly, typeof(DslLosses.CodeFixes.FromLogitsCodeFix).Assembly })
        {
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Microsoft.CodeAnalysis")))
                Assert.True(reference.Version! <= new System.Version(4, 14, 0, 0), $"{assembly.GetName().Name} references {reference}");
        }
    }

    private static string RepoRoot()
    {
        string? dir = System.AppContext.BaseDirectory;
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir, "Directory.Build.props")))
            dir = System.IO.Path.GetDirectoryName(dir);
        return dir ?? throw new System.InvalidOperationException("repository root not found");
    }
}
