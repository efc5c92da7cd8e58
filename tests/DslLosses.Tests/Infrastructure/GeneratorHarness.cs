using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using DslLosses.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace DslLosses.Tests.Infrastructure;

/// <summary>Runs the generator in memory on source text against the .NET 10 reference assemblies and the runtime library.</summary>
public static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var refs = new List<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);
        bool hasTensors = refs.Any(r => r.Display?.Contains("System.Numerics.Tensors", StringComparison.OrdinalIgnoreCase) == true);
        if (!hasTensors)
            refs.Add(MetadataReference.CreateFromFile(typeof(System.Numerics.Tensors.Tensor).Assembly.Location));
        refs.Add(MetadataReference.CreateFromFile(typeof(Dsl).Assembly.Location));
        return refs.ToImmutableArray();
    });

    public const string Usings = "using DslLosses;\nusing static DslLosses.Dsl;\n";

    public static CSharpCompilation Compile(params string[] sources)
        => CSharpCompilation.Create(
            "Consumer",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    public static GeneratorDriver Driver(bool trackSteps = false) => Driver(new LossGenerator(), trackSteps);

    /// <summary>A driver of <paramref name="generator"/> (to look at its state between runs).</summary>
    public static GeneratorDriver Driver(LossGenerator generator, bool trackSteps = false)
        => CSharpGeneratorDriver.Create(
            new[] { generator.AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>
    /// Runs the generator and the formula checks (<see cref="FormulaDiagnosticsAnalyzer"/>), as a build does; returns
    /// what they generated and reported, and the compiler's diagnostics of the compilation with the generated code.
    /// </summary>
    public static (HarnessRun Run, ImmutableArray<Diagnostic> Compilation) Run(params string[] sources)
    {
        CSharpCompilation compilation = Compile(sources);
        GeneratorDriver driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorDriverRunResult result = driver.GetRunResult();
        return (new HarnessRun(result, result.Diagnostics.AddRange(FormulaDiagnostics(output))), output.GetDiagnostics());
    }

    /// <summary>What <see cref="FormulaDiagnosticsAnalyzer"/> reports on <paramref name="compilation"/>.</summary>
    public static ImmutableArray<Diagnostic> FormulaDiagnostics(Compilation compilation)
        => compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new FormulaDiagnosticsAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>
    /// The one generated file for <paramref name="members"/> declared in a partial class of namespace
    /// <paramref name="ns"/>; asserts the generator reports nothing and the result compiles without errors.
    /// </summary>
    public static string GeneratedSource(string ns, string members)
    {
        (HarnessRun run, var compilation) = Run(Usings + $"namespace {ns};\n\npublic static partial class Losses\n{{\n" + members + "\n}\n");
        Xunit.Assert.Empty(run.Diagnostics);
        Xunit.Assert.Empty(compilation.Where(d => d.Severity == DiagnosticSeverity.Error));
        return run.GeneratedTrees.Single().ToString();
    }

    /// <summary>
    /// The lowered plan of the one formula in <paramref name="members"/> (declared in a partial class), parsed and checked
    /// as the generator's first step does; asserts the formula reads without diagnostics.
    /// </summary>
    internal static DslLosses.Generator.Lowering.KernelPlan Plan(string members)
    {
        CSharpCompilation compilation = Compile(Usings + "public static partial class Losses\n{\n" + members + "\n}\n");
        SyntaxTree tree = compilation.SyntaxTrees.Single();
        SemanticModel model = compilation.GetSemanticModel(tree);
        var syntax = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single();
        var method = (IMethodSymbol)model.GetDeclaredSymbol(syntax)!;
        var parsed = LossGenerator.ParseAndCheck(method, syntax, model, method.GetAttributes().Single(), default);
        Xunit.Assert.Empty(parsed.Diagnostics);
        return DslLosses.Generator.Lowering.Lowerer.Lower(parsed.Value!);
    }

    /// <summary>
    /// Source with markup <c>{|DSL0101:text|}</c>: the marked spans are where that diagnostic is expected. Returns the
    /// plain source and the expected (id, span) pairs.
    /// </summary>
    public static (string Source, List<(string Id, TextSpan Span)> Expected) ParseMarkup(string markup)
    {
        var expected = new List<(string, TextSpan)>();
        var text = new System.Text.StringBuilder();
        var open = new Stack<(string Id, int Start)>();
        int i = 0;
        while (i < markup.Length)
        {
            if (markup[i] == '{' && i + 1 < markup.Length && markup[i + 1] == '|')
            {
                Match m = Regex.Match(markup.Substring(i), @"^\{\|([A-Z]+[0-9]+):");
                if (m.Success)
                {
                    open.Push((m.Groups[1].Value, text.Length));
                    i += m.Length;
                    continue;
                }
            }
            if (markup[i] == '|' && i + 1 < markup.Length && markup[i + 1] == '}' && open.Count > 0)
            {
                (string id, int start) = open.Pop();
                expected.Add((id, TextSpan.FromBounds(start, text.Length)));
                i += 2;
                continue;
            }
            text.Append(markup[i]);
            i++;
        }
        return (text.ToString(), expected);
    }
}

/// <summary>
/// What a build reports for formulas: the generator's output and diagnostics (DSL0099 from emission) together with the
/// formula checks, which <see cref="FormulaDiagnosticsAnalyzer"/> reports.
/// </summary>
public sealed record HarnessRun(GeneratorDriverRunResult Generator, ImmutableArray<Diagnostic> Diagnostics)
{
    public ImmutableArray<SyntaxTree> GeneratedTrees => Generator.GeneratedTrees;

    public ImmutableArray<GeneratorRunResult> Results => Generator.Results;
}
