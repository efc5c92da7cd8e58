using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using Xunit;

namespace DslLosses.Tests;

/// <summary>
/// The DslLosses package as a consumer gets it: packed from this repo with a version of its own, restored by a fresh
/// project from a local folder (everything else from nuget.org), built and run with the dotnet that runs the tests.
/// </summary>
[Trait("Category", "Package")]
public sealed class PackageTests : IClassFixture<PackageTests.PackedPackage>
{
    private readonly PackedPackage _package;

    public PackageTests(PackedPackage package) => _package = package;

    // ---- the package ---------------------------------------------------------------------------------------

    [Fact]
    public void Package_holds_the_runtime_with_docs_and_the_generator_as_an_analyzer()
    {
        using ZipArchive zip = ZipFile.OpenRead(_package.NupkgPath);
        var entries = zip.Entries.Select(e => e.FullName).ToList();

        Assert.Contains("lib/net10.0/DslLosses.dll", entries);
        Assert.Contains("lib/net10.0/DslLosses.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/DslLosses.Generator.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/DslLosses.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/DslLosses.CodeFixes.dll", entries);
        Assert.Contains("README.md", entries);

        // nothing but the runtime in lib/, nothing but DslLosses Roslyn components in analyzers/
        Assert.Equal(new[] { "lib/net10.0/DslLosses.dll", "lib/net10.0/DslLosses.xml" },
            entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).OrderBy(e => e, StringComparer.Ordinal));
        var analyzers = entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)).ToList();
        Assert.All(analyzers, e => Assert.Matches(@"^analyzers/dotnet/cs/DslLosses\.[A-Za-z]+\.dll$", e));

        // the analyzer in the package is the generator that built the tests
        byte[] packed = ReadEntry(zip, "analyzers/dotnet/cs/DslLosses.Generator.dll");
        Assert.Equal(File.ReadAllBytes(typeof(DslLosses.Generator.LossGenerator).Assembly.Location), packed);
    }

    [Fact]
    public void Package_depends_on_System_Numerics_Tensors_only()
    {
        using ZipArchive zip = ZipFile.OpenRead(_package.NupkgPath);
        XDocument nuspec = XDocument.Load(new MemoryStream(ReadEntry(zip, "DslLosses.nuspec")));
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;

        Assert.Equal("DslLosses", metadata.Element(ns + "id")!.Value);
        Assert.Equal(_package.Version, metadata.Element(ns + "version")!.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));

        var groups = metadata.Element(ns + "dependencies")!.Elements(ns + "group").ToList();
        Assert.Equal("net10.0", Assert.Single(groups).Attribute("targetFramework")!.Value);
        var dependencies = groups[0].Elements(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToList();
        Assert.Equal(new[] { "System.Numerics.Tensors" }, dependencies);
    }

    // ---- a consumer project --------------------------------------------------------------------------------

    [Fact]
    public void Consumer_formula_and_built_in_loss_run_from_the_package()
    {
        string dir = _package.NewConsumer("run");
        (int built, string buildOutput) = _package.Dotnet(dir, "build", "--nologo");
        Assert.True(built == 0, "dotnet build failed:\n" + buildOutput);
        (int exit, string output) = _package.Dotnet(dir, "run", "--no-build");
        Assert.True(exit == 0, "dotnet run failed:\n" + output);

        Dictionary<string, float[]> printed = output.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.Contains(' ', StringComparison.Ordinal))
            .Select(l => l.Split('='))
            .ToDictionary(p => p[0], p => p[1].Split(';').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        float[] Value(string key) => printed.TryGetValue(key, out float[]? v) ? v : throw new Xunit.Sdk.XunitException($"'{key}=' not printed:\n{output}");

        // yTrue [[0, 1], [1, 1]], yPred [[0.5, 1], [1, 0]]: squared errors [[0.25, 0], [0, 1]],
        // row means [0.125, 0.5], mean over the batch 0.3125, sum 0.625 (all exact in binary)
        Assert.Equal(new[] { 0.125f, 0.5f }, Value("mse_per_sample"));
        Assert.Equal(0.3125f, Assert.Single(Value("mse")));
        Assert.Equal(0.625f, Assert.Single(Value("mse_sum")));
        // d/dp of (1/B)(1/N) sum (p - y)^2 = 2 (p - y) / (B N) = (p - y) / 2
        Assert.Equal(new[] { 0.25f, 0f, 0f, -0.5f }, Value("mse_gradient"));
        // BinaryCrossentropy(fromLogits: true) at logits 0: -log(sigmoid(0)) = -log(1 - sigmoid(0)) = ln 2 for any label
        Assert.Equal(0.69314718f, Assert.Single(Value("bce")), 1e-6f);
    }

    // ---- the TorchSharp bridge's package -------------------------------------------------------------------

    [Fact]
    public void Bridge_package_holds_the_bridge_and_depends_on_DslLosses_and_TorchSharp_only()
    {
        using ZipArchive zip = ZipFile.OpenRead(_package.BridgeNupkgPath);
        var entries = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Equal(new[] { "lib/net10.0/DslLosses.TorchSharp.dll", "lib/net10.0/DslLosses.TorchSharp.xml" },
            entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal)).OrderBy(e => e, StringComparer.Ordinal));
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal) || e.StartsWith("runtimes/", StringComparison.Ordinal));

        XDocument nuspec = XDocument.Load(new MemoryStream(ReadEntry(zip, "DslLosses.TorchSharp.nuspec")));
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal(_package.Version, metadata.Element(ns + "version")!.Value);
        var dependencies = metadata.Element(ns + "dependencies")!.Elements(ns + "group").Single().Elements(ns + "dependency")
            .ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        // TorchSharp's managed bindings, no libtorch backend (TorchSharp-cpu, -cuda...): the consumer picks one
        Assert.Equal(new[] { "DslLosses", "TorchSharp" }, dependencies.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(_package.Version, dependencies["DslLosses"]);
    }

    [Fact]
    public void Bridge_consumer_gets_the_TorchSharp_overload_of_its_formula_and_its_call_site_checks()
    {
        const string program = """
            using DslLosses;
            using TorchSharp;

            public static class Program
            {
                public static void Main()
                {
                    using var yTrue = torch.zeros(4, 3);
                    using var yPred = torch.rand(4, 3).requires_grad_(true);
                    // the generated TorchSharp overload: torch tensors in, a tensor connected to autograd out
                    torch.Tensor loss = MyLosses.Mse(yTrue, yPred, Reduction.Sum);
                    torch.Tensor keras = new BinaryCrossentropy().Call(yTrue, yPred);   // the bridge's extension
                    loss.backward();
                    keras.Dispose();
                }
            }
            """;
        string dir = _package.NewTorchConsumer("torch", program);
        (int built, string output) = _package.Dotnet(dir, "build", "--nologo");
        Assert.True(built == 0, "dotnet build failed:\n" + output);

        // the package's analyzers check TorchSharp call sites too
        string planted = _package.NewTorchConsumer("torch-planted", program);
        File.WriteAllText(Path.Combine(planted, "Planted.cs"), """
            public static class Planted
            {
                public static TorchSharp.torch.Tensor Run() => MyLosses.Mse(TorchSharp.torch.zeros(2, 3), TorchSharp.torch.rand(3, 3));
            }
            """);
        (int exit, string plantedOutput) = _package.Dotnet(planted, "build", "--nologo");
        Assert.True(exit != 0 && plantedOutput.Contains("Planted.cs", StringComparison.Ordinal) && plantedOutput.Contains("error DSL0106:", StringComparison.Ordinal),
            "expected 'error DSL0106' in Planted.cs:\n" + plantedOutput);
    }

    /// <summary>Shape mismatches the generator reports while the consumer compiles (formula declarations).</summary>
    public static IEnumerable<object[]> GeneratorReportedMismatches() => new[]
    {
        new object[]
        {
            "dimension names differ", "DSL0101", """
            using DslLosses;
            using static DslLosses.Dsl;

            public static partial class Planted
            {
                [Loss]
                static TensorExpr Mse([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "M")] TensorExpr yPred) => Mean(Square(yTrue - yPred), axis: -1);
            }
            """,
        },
        new object[]
        {
            "one name bound to two sizes", "DSL0101", """
            using DslLosses;
            using static DslLosses.Dsl;

            public static partial class Planted
            {
                [Loss]
                static TensorExpr F([Shape("B", "N")] TensorExpr y, [Shape("B", 3)] TensorExpr p, [Shape("B", 4)] TensorExpr q) => Mean(y - p + q, axis: -1);
            }
            """,
        },
    };

    /// <summary>
    /// Shape mismatches at a call site of generated methods (arrays of known, mismatched shapes), reported by the
    /// package's analyzers. Each case is (name, diagnostic ID, source of one file added to the consumer); the file
    /// may call <c>MyLosses.Mse</c> of the consumer.
    /// </summary>
    public static IEnumerable<object[]> CallSiteMismatches() => new[]
    {
        new object[]
        {
            "generated kernel called with arrays of different shapes", "DSL0106", """
            public static class Planted
            {
                public static float Run() => MyLosses.Mse(new float[2, 3], new float[3, 3]);
            }
            """,
        },
        new object[]
        {
            "Keras's [B] against [B, 1]", "DSL0106", """
            using DslLosses;

            public static class Planted
            {
                public static float Run()
                {
                    float[] labels = { 0, 1, 1 };
                    float[] probs = { 0.2f, 0.7f, 0.9f };
                    return new BinaryCrossentropy().Compute(
                        System.Numerics.Tensors.Tensor.Create(labels, [3]),
                        System.Numerics.Tensors.Tensor.Create(probs, [3, 1]));
                }
            }
            """,
        },
        new object[]
        {
            "label smoothing outside [0, 1]", "DSL0201", """
            using DslLosses;

            public static class Planted
            {
                public static readonly CategoricalCrossentropy Loss = new(labelSmoothing: 1.5);
            }
            """,
        },
    };

    public static IEnumerable<object[]> PlantedMismatches() => GeneratorReportedMismatches().Concat(CallSiteMismatches());

    [Theory]
    [MemberData(nameof(PlantedMismatches))]
    public void Planted_shape_mismatch_fails_the_consumer_build_with_its_id(string name, string id, string source)
    {
        string dir = _package.NewConsumer("planted");
        File.WriteAllText(Path.Combine(dir, "Planted.cs"), source);
        (int exit, string output) = _package.Dotnet(dir, "build", "--nologo");
        Assert.True(exit != 0, $"'{name}': the build succeeded, expected {id}:\n{output}");
        Assert.True(output.Contains($"Planted.cs", StringComparison.Ordinal) && output.Contains($"error {id}:", StringComparison.Ordinal),
            $"'{name}': expected 'error {id}' in Planted.cs:\n{output}");
    }

    private static byte[] ReadEntry(ZipArchive zip, string name)
    {
        ZipArchiveEntry entry = zip.GetEntry(name) ?? throw new Xunit.Sdk.XunitException($"{name} is not in the package");
        using Stream s = entry.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    // ---- the fixture: pack once per test run -----------------------------------------------------------------

    /// <summary>
    /// Packs <c>runtime/DslLosses.csproj</c> (from the build the tests run on: same configuration, <c>--no-build</c>)
    /// with a version no cache can hold, into a temp folder that also holds the consumers and their NuGet packages
    /// folder. Deleted at the end.
    /// </summary>
    public sealed class PackedPackage : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(150);
        private int _consumers;

        public string Root { get; }
        public string Feed { get; }
        public string Packages { get; }
        public string Version { get; }
        public string NupkgPath { get; }
        public string BridgeNupkgPath { get; }
        public string DotnetPath { get; }

        public PackedPackage()
        {
            DotnetPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
            Root = Path.Combine(Path.GetTempPath(), "dsllosses-package-" + Guid.NewGuid().ToString("N")[..12]);
            Feed = Path.Combine(Root, "feed");
            Packages = Path.Combine(Root, "packages");
            Directory.CreateDirectory(Feed);
            Directory.CreateDirectory(Packages);
            // nothing above the temp folder leaks into the consumers' builds
            File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project>\n  <PropertyGroup>\n    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>\n  </PropertyGroup>\n</Project>\n");
            File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(Root, ".editorconfig"), "root = true\n");

            Version = "0.0.0-test." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
            string repo = RepoRoot();
            // the runtime and the generator were built with the tests, in the tests' configuration
            string configuration = typeof(PackedPackage).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Debug";
            (int exit, string output) = Dotnet(repo, "pack", Path.Combine(repo, "runtime", "DslLosses.csproj"), "--nologo",
                "-c", configuration, "--no-build", "-o", Feed, "-p:Version=" + Version, "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec") + Path.DirectorySeparatorChar);
            NupkgPath = Path.Combine(Feed, $"DslLosses.{Version}.nupkg");
            if (exit != 0 || !File.Exists(NupkgPath))
                throw new InvalidOperationException($"dotnet pack failed (exit {exit}), no {NupkgPath}:\n{output}");
            // the TorchSharp bridge, the same way and with the same version (its DslLosses dependency is this one)
            (exit, output) = Dotnet(repo, "pack", Path.Combine(repo, "runtime", "DslLosses.TorchSharp", "DslLosses.TorchSharp.csproj"), "--nologo",
                "-c", configuration, "--no-build", "-o", Feed, "-p:Version=" + Version, "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec-torch") + Path.DirectorySeparatorChar);
            BridgeNupkgPath = Path.Combine(Feed, $"DslLosses.TorchSharp.{Version}.nupkg");
            if (exit != 0 || !File.Exists(BridgeNupkgPath))
                throw new InvalidOperationException($"dotnet pack of the bridge failed (exit {exit}), no {BridgeNupkgPath}:\n{output}");
        }

        /// <summary>
        /// A fresh consumer of the bridge: references DslLosses.TorchSharp (which brings DslLosses) and TorchSharp's
        /// managed bindings only, no libtorch backend, so it is built, not run. Packages this machine's NuGet cache
        /// already holds (TorchSharp and its dependencies, restored for the bridge's own tests) are read from there
        /// as a fallback folder rather than downloaded and extracted again.
        /// </summary>
        public string NewTorchConsumer(string name, string program)
        {
            string dir = NewConsumer(name);
            string userCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache
                ? cache
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string config = File.ReadAllText(Path.Combine(dir, "nuget.config"));
            File.WriteAllText(Path.Combine(dir, "nuget.config"), config.Replace("  <packageSources>",
                $"  <fallbackPackageFolders>\n    <add key=\"machine-cache\" value=\"{userCache}\" />\n  </fallbackPackageFolders>\n  <packageSources>", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), Project($"""
                    <PackageReference Include="DslLosses.TorchSharp" Version="{Version}" />
                    <PackageReference Include="TorchSharp" Version="0.107.0" />
                """));
            File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
            return dir;
        }

        /// <summary>A fresh consumer: net10.0 console app with a PackageReference to the packed version and a formula of its own.</summary>
        public string NewConsumer(string name)
        {
            string dir = Path.Combine(Root, $"{name}{System.Threading.Interlocked.Increment(ref _consumers)}");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <config>
                    <add key="globalPackagesFolder" value="{Packages}" />
                  </config>
                  <packageSources>
                    <add key="dsllosses-local" value="{Feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), Project($"""
                    <PackageReference Include="DslLosses" Version="{Version}" />
                """));
            File.WriteAllText(Path.Combine(dir, "MyLosses.cs"), """
                using DslLosses;
                using static DslLosses.Dsl;

                public static partial class MyLosses
                {
                    [Loss]
                    static TensorExpr Mse([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
                        => Mean(Square(yTrue - yPred), axis: -1);
                }
                """);
            File.WriteAllText(Path.Combine(dir, "Program.cs"), """
                using System;
                using System.Globalization;
                using System.Numerics.Tensors;
                using DslLosses;

                public static class Program
                {
                    static string S(float x) => x.ToString("R", CultureInfo.InvariantCulture);

                    public static void Main()
                    {
                        float[] t = { 0f, 1f, 1f, 1f }, p = { 0.5f, 1f, 1f, 0f };
                        var yTrue = new ReadOnlyTensorSpan<float>(t, [2, 2]);
                        var yPred = new ReadOnlyTensorSpan<float>(p, [2, 2]);
                        Console.WriteLine("mse=" + S(MyLosses.Mse(yTrue, yPred)));
                        Console.WriteLine("mse_sum=" + S(MyLosses.Mse(yTrue, yPred, Reduction.Sum)));
                        var perSample = new float[2];
                        MyLosses.Mse(yTrue, yPred, new TensorSpan<float>(perSample, [2]));
                        Console.WriteLine("mse_per_sample=" + string.Join(";", Array.ConvertAll(perSample, S)));
                        var gradient = new float[4];
                        MyLosses.MseGradient(yTrue, yPred, new TensorSpan<float>(gradient, [2, 2]));
                        Console.WriteLine("mse_gradient=" + string.Join(";", Array.ConvertAll(gradient, S)));
                        var bce = new BinaryCrossentropy(fromLogits: true);
                        Console.WriteLine("bce=" + S(bce.Compute(new float[,] { { 0f, 1f } }, new float[,] { { 0f, 0f } })));
                    }
                }
                """);
            return dir;
        }

        /// <summary>A consumer's project file: a net10.0 console app with the given package references.</summary>
        private static string Project(string packageReferences) => $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
            {packageReferences.TrimEnd()}
              </ItemGroup>
            </Project>
            """;

        /// <summary>Runs dotnet with the arguments; returns the exit code and stdout + stderr.</summary>
        public (int Exit, string Output) Dotnet(string workingDirectory, params string[] args)
        {
            var start = new ProcessStartInfo(DotnetPath)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in args)
                start.ArgumentList.Add(a);
            // no build servers that would outlive the test and hold its pipes
            if (args[0] is "build" or "pack")
            {
                start.ArgumentList.Add("-nodeReuse:false");
                start.ArgumentList.Add("-p:UseSharedCompilation=false");
            }
            // the test host runs under MSBuild's environment; a child build must find its own SDK
            foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
                start.Environment.Remove(key);
            start.Environment["NUGET_PACKAGES"] = Packages;
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

            var output = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                lock (output)
                    return (-1, $"dotnet {string.Join(' ', args)} timed out after {Timeout.TotalSeconds} s:\n{output}");
            }
            process.WaitForExit();
            lock (output)
                return (process.ExitCode, $"> dotnet {string.Join(' ', args)} (in {workingDirectory})\n{output}");
        }

        private static string RepoRoot()
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "DslLosses.sln")))
                    return dir.FullName;
            }
            throw new InvalidOperationException($"No DslLosses.sln above {AppContext.BaseDirectory}");
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // a file still held open: the temp folder is cleaned by the OS
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
