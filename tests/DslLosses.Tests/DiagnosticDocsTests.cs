using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using DslLosses.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// Every diagnostic of every DslLosses Roslyn assembly the tests reference has a help page at its help link, with a
/// wrong and a right example; the generator's examples really do (and do not) report their ID.
/// </summary>
public class DiagnosticDocsTests
{
    private const string HelpLinkPrefix = "https://github.com/DslLosses/DslLosses/blob/main/";
    private const string WrongHeading = "## Wrong example";
    private const string RightHeading = "## Right example";

    /// <summary>The DslLosses assemblies whose diagnostics are documented: every DslLosses.*.dll beside the tests but the tests.</summary>
    private static readonly Lazy<IReadOnlyList<Assembly>> RoslynAssemblies = new(() =>
        Directory.GetFiles(AppContext.BaseDirectory, "DslLosses.*.dll")
            .Where(p => !Path.GetFileName(p).Equals("DslLosses.Tests.dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => Assembly.Load(AssemblyName.GetAssemblyName(p)))
            .Where(a => a.GetReferencedAssemblies().Any(r => r.Name == "Microsoft.CodeAnalysis"))
            .OrderBy(a => a.GetName().Name, StringComparer.Ordinal)
            .ToList());

    /// <summary>Every descriptor: static fields and properties of type DiagnosticDescriptor, and the SupportedDiagnostics of every analyzer.</summary>
    private static readonly Lazy<IReadOnlyList<(DiagnosticDescriptor Descriptor, string Assembly)>> Descriptors = new(() =>
    {
        var found = new Dictionary<string, (DiagnosticDescriptor, string)>(StringComparer.Ordinal);
        void Add(DiagnosticDescriptor d, Assembly a)
        {
            if (!found.TryGetValue(d.Id, out var existing))
                found[d.Id] = (d, a.GetName().Name!);
            else
                Assert.True(existing.Item1.Equals(d), $"{d.Id} is declared twice with different properties ({existing.Item2}, {a.GetName().Name})");
        }

        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Assembly assembly in RoslynAssemblies.Value)
        {
            foreach (Type type in LoadableTypes(assembly))
            {
                foreach (FieldInfo field in type.GetFields(All).Where(f => f.FieldType == typeof(DiagnosticDescriptor)))
                    Add((DiagnosticDescriptor)field.GetValue(null)!, assembly);
                foreach (PropertyInfo property in type.GetProperties(All).Where(p => p.PropertyType == typeof(DiagnosticDescriptor) && p.GetIndexParameters().Length == 0))
                    Add((DiagnosticDescriptor)property.GetValue(null)!, assembly);
                if (typeof(DiagnosticAnalyzer).IsAssignableFrom(type) && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null)
                {
                    foreach (DiagnosticDescriptor d in ((DiagnosticAnalyzer)Activator.CreateInstance(type)!).SupportedDiagnostics)
                        Add(d, assembly);
                }
            }
        }
        return found.Values.OrderBy(x => x.Item1.Id, StringComparer.Ordinal).ToList();
    });

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.Where(t => t is not null)!;
        }
    }

    private static readonly Lazy<string> RepoRoot = new(() =>
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DslLosses.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No DslLosses.sln above {AppContext.BaseDirectory}");
    });

    private static string DocsFolder => Path.Combine(RepoRoot.Value, "docs", "diagnostics");

    private static DiagnosticDescriptor Descriptor(string id) => Descriptors.Value.Single(d => d.Descriptor.Id == id).Descriptor;

    public static TheoryData<string> AllIds()
    {
        var data = new TheoryData<string>();
        foreach (var d in Descriptors.Value)
            data.Add(d.Descriptor.Id);
        return data;
    }

    /// <summary>The generator's IDs with examples that can be compiled; DSL0099 (an internal failure) has no formula that triggers it.</summary>
    public static TheoryData<string> GeneratorIdsWithExamples()
    {
        var data = new TheoryData<string>();
        foreach (var d in Descriptors.Value.Where(d => d.Assembly == "DslLosses.Generator" && d.Descriptor.Id != "DSL0099"))
            data.Add(d.Descriptor.Id);
        return data;
    }

    [Fact]
    public void Descriptors_are_found_in_the_generator_and_every_DslLosses_Roslyn_assembly()
    {
        Assert.Contains(RoslynAssemblies.Value, a => a.GetName().Name == "DslLosses.Generator");
        var generatorIds = Descriptors.Value.Where(d => d.Assembly == "DslLosses.Generator").Select(d => d.Descriptor.Id).ToList();
        string[] known =
        {
            "DSL0001", "DSL0002", "DSL0003", "DSL0004", "DSL0099", "DSL0101", "DSL0102", "DSL0103", "DSL0104", "DSL0105", "DSL0108",
            "DSL0401", "DSL0402", "DSL0403", "DSL0404", "DSL0405", "DSL0406", "DSL0407", "DSL0408", "DSL0501", "DSL0502",
        };
        Assert.Empty(known.Except(generatorIds));
        // an assembly with analyzers (not, say, code fixes) must have contributed descriptors: else the scan missed them
        foreach (Assembly assembly in RoslynAssemblies.Value.Where(a => LoadableTypes(a).Any(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract)))
            Assert.True(Descriptors.Value.Any(d => d.Assembly == assembly.GetName().Name), $"{assembly.GetName().Name} has analyzers but no diagnostic descriptor the test can see");
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void Help_link_points_to_the_page_and_the_page_has_title_severity_and_examples(string id)
    {
        DiagnosticDescriptor d = Descriptor(id);
        string relative = $"docs/diagnostics/{id}.md";
        Assert.Equal(HelpLinkPrefix + relative, d.HelpLinkUri);

        string path = Path.Combine(RepoRoot.Value, "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(path), $"{relative} is missing");
        string page = File.ReadAllText(path).Replace("\r\n", "\n");

        Assert.Equal($"# {id}: {d.Title}", page.Split('\n')[0]);
        Assert.Contains($"| Severity | {d.DefaultSeverity} |", page);
        Assert.Contains(d.Category, page);
        Assert.Contains($"dotnet_diagnostic.{id}.severity", page);
        Assert.False(string.IsNullOrWhiteSpace(Example(page, WrongHeading)), $"{relative}: no csharp block under '{WrongHeading}'");
        Assert.False(string.IsNullOrWhiteSpace(Example(page, RightHeading)), $"{relative}: no csharp block under '{RightHeading}'");
        Assert.True(page.IndexOf(WrongHeading, StringComparison.Ordinal) < page.IndexOf(RightHeading, StringComparison.Ordinal), $"{relative}: the wrong example comes first");
    }

    [Theory]
    [MemberData(nameof(GeneratorIdsWithExamples))]
    public void Generator_page_examples_wrong_reports_the_id_and_right_does_not(string id)
    {
        string page = File.ReadAllText(Path.Combine(DocsFolder, id + ".md")).Replace("\r\n", "\n");

        (HarnessRun wrongRun, ImmutableArray<Diagnostic> wrongCompilation) = GeneratorHarness.Run(Example(page, WrongHeading)!);
        Assert.All(wrongRun.Results, r => Assert.Null(r.Exception));
        Assert.True(wrongRun.Diagnostics.Any(x => x.Id == id),
            $"the wrong example of {id} does not report it; it reports [{Show(wrongRun.Diagnostics)}], compiler [{Show(wrongCompilation.Where(x => x.Severity == DiagnosticSeverity.Error))}]");

        (HarnessRun rightRun, ImmutableArray<Diagnostic> rightCompilation) = GeneratorHarness.Run(Example(page, RightHeading)!);
        Assert.All(rightRun.Results, r => Assert.Null(r.Exception));
        Assert.True(!rightRun.Diagnostics.Any(x => x.Id.StartsWith("DSL", StringComparison.Ordinal)),
            $"the right example of {id} reports [{Show(rightRun.Diagnostics)}]");
        Assert.True(!rightCompilation.Any(x => x.Severity == DiagnosticSeverity.Error),
            $"the right example of {id} does not compile: [{Show(rightCompilation.Where(x => x.Severity == DiagnosticSeverity.Error))}]");
        Assert.NotEmpty(rightRun.GeneratedTrees);
    }

    [Fact]
    public void Index_links_every_id_and_every_page_belongs_to_a_diagnostic()
    {
        string index = File.ReadAllText(Path.Combine(DocsFolder, "README.md"));
        var ids = Descriptors.Value.Select(d => d.Descriptor.Id).ToHashSet(StringComparer.Ordinal);
        var unlisted = ids.Where(id => !index.Contains($"]({id}.md)", StringComparison.Ordinal)).ToList();
        Assert.True(unlisted.Count == 0, $"docs/diagnostics/README.md does not link {string.Join(", ", unlisted)}");

        var pages = Directory.GetFiles(DocsFolder, "*.md").Select(Path.GetFileNameWithoutExtension).Where(n => n != "README").ToList();
        var orphans = pages.Where(p => !ids.Contains(p!)).ToList();
        Assert.True(orphans.Count == 0, $"pages without a diagnostic: {string.Join(", ", orphans)}");
    }

    /// <summary>The first csharp code block after the heading, before the next heading of the same level.</summary>
    private static string? Example(string page, string heading)
    {
        int start = page.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        if (start < 0)
            return null;
        start += heading.Length + 2;
        int end = page.IndexOf("\n## ", start, StringComparison.Ordinal);
        string section = end < 0 ? page.Substring(start) : page.Substring(start, end - start);
        Match m = Regex.Match(section, @"```csharp\n(.*?)\n```", RegexOptions.Singleline);
        return m.Success ? m.Groups[1].Value : null;
    }

    private static string Show(IEnumerable<Diagnostic> diagnostics) => string.Join("; ", diagnostics.Select(x => $"{x.Id}: {x.GetMessage()}"));
}
