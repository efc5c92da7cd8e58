#!/usr/bin/env bash
# Writes two console projects that consume DslLosses the way a user project does (ProjectReference to the runtime,
# the generator as an Analyzer, like tests/DslLosses.Tests):
#
#   benchmarks/consumer/make-consumer.sh REPO OUTDIR
#
#   OUTDIR/Formulas20/    20 typical loss formulas (Losses.cs), a file that calls each once (Usage.cs), Program.cs
#   OUTDIR/NoFormulas/    the same project with Losses.cs and Usage.cs left out
#
# Both share Program.cs (the "non-formula file" the rebuild benchmark touches) and Helpers.cs. The projects import
# nothing from the folders they are written to (an empty Directory.Build.props/.targets stops the search), so REPO's
# and this repository's build settings do not leak in. Formula "Hinge" holds the constant the rebuild benchmark edits:
# its margin, written `1.0 /*margin*/`.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 REPO OUTDIR" >&2
    exit 2
fi
REPO=$(cd "$1" && pwd)
OUTDIR=$2
mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)

write_project() { # dir name
    local dir=$1 name=$2
    mkdir -p "$dir"
    cat >"$dir/Directory.Build.props" <<'EOF'
<Project>
  <!-- stops MSBuild looking further up for build settings -->
</Project>
EOF
    cat >"$dir/Directory.Build.targets" <<'EOF'
<Project>
</Project>
EOF
    cat >"$dir/$name.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <LangVersion>latest</LangVersion>
    <!-- the multi-core totals of the generated kernels need unsafe code, as in a typical consumer that wants them -->
    <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$REPO/runtime/DslLosses.csproj" />
    <ProjectReference Include="$REPO/generator/DslLosses.Generator/DslLosses.Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
</Project>
EOF
    cat >"$dir/Program.cs" <<'EOF'
using System;

namespace Consumer;

public static class Program
{
    public static int Main(string[] args)
    {
        // a non-formula file: the rebuild benchmark touches it
        int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 4;
        float[] a = Helpers.Ramp(n * n, 0.1f);
        float[] b = Helpers.Ramp(n * n, 0.2f);
        Console.WriteLine($"checksum {Helpers.Checksum(a, b):R}");
        return Usage.Run(a, b, n);
    }
}
EOF
    cat >"$dir/Helpers.cs" <<'EOF'
namespace Consumer;

public static class Helpers
{
    public static float[] Ramp(int n, float step)
    {
        var r = new float[n];
        for (int i = 0; i < n; i++)
            r[i] = 0.05f + (i * step) % 0.9f;
        return r;
    }

    public static double Checksum(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }
}
EOF
}

# ---- the project with 20 formulas
F="$OUTDIR/Formulas20"
write_project "$F" Formulas20
cat >"$F/Losses.cs" <<'EOF'
// 20 typical loss formulas in the DslLosses DSL (keep System.Numerics.Tensors out of this file: both define TensorExpr)
using DslLosses;
using static DslLosses.Dsl;

namespace Consumer;

public static partial class Losses
{
    [Loss]
    static TensorExpr Mse([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Square(yTrue - yPred), axis: -1);

    [Loss]
    static TensorExpr Mae([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Abs(yTrue - yPred), axis: -1);

    [Loss]
    static TensorExpr Huber([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
    {
        var e = Abs(yTrue - yPred);
        return Mean(Where(e <= 1.0, 0.5 * Square(e), e - 0.5), axis: -1);
    }

    [Loss]
    static TensorExpr LogCosh([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
    {
        var x = yPred - yTrue;
        return Mean(x + Softplus(-2 * x) - 0.6931471805599453, axis: -1);
    }

    [Loss]
    static TensorExpr Hinge([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Max(1.0 /*margin*/ - yTrue * yPred, 0.0), axis: -1);

    [Loss]
    static TensorExpr SquaredHinge([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Square(Max(1 - yTrue * yPred, 0.0)), axis: -1);

    [Loss]
    static TensorExpr BinaryFocal([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar gamma)
    {
        var p = Clip(yPred, Epsilon, 1 - Epsilon);
        var pt = yTrue * p + (1 - yTrue) * (1 - p);
        var alpha = yTrue * 0.25 + (1 - yTrue) * 0.75;
        return Mean(-alpha * Pow(1 - pt, gamma) * Log(pt), axis: -1);
    }

    [Loss]
    static TensorExpr CategoricalFocalLogits([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits, Scalar gamma)
        => -Sum(yTrue * Pow(1 - Softmax(logits, axis: -1), gamma) * LogSoftmax(logits, axis: -1), axis: -1);

    [Loss]
    static TensorExpr Dice([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => 1 - (2 * Sum(yTrue * yPred, axis: -1) + 1) / (Sum(yTrue, axis: -1) + Sum(yPred, axis: -1) + 1);

    [Loss]
    static TensorExpr Tversky([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
    {
        var tp = Sum(yTrue * yPred, axis: -1);
        var fn = Sum(yTrue * (1 - yPred), axis: -1);
        var fp = Sum((1 - yTrue) * yPred, axis: -1);
        return 1 - (tp + 1) / (tp + 0.7 * fn + 0.3 * fp + 1);
    }

    [Loss]
    static TensorExpr Contrastive([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr distance)
        => Mean(yTrue * Square(distance) + (1 - yTrue) * Square(Max(1 - distance, 0.0)), axis: -1);

    [Loss]
    static TensorExpr BceWithLogits([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr logits)
        => Mean(Softplus(logits) - logits * yTrue, axis: -1);

    [Loss]
    static TensorExpr KlDivergence([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
    {
        var y = Clip(yTrue, Epsilon, 1);
        var p = Clip(yPred, Epsilon, 1);
        return Sum(y * Log(y / p), axis: -1);
    }

    [Loss]
    static TensorExpr PoissonLoss([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(yPred - yTrue * Log(yPred + Epsilon), axis: -1);

    [Loss]
    static TensorExpr CosineSimilarity([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => -Sum(yTrue * yPred, axis: -1) / (Sqrt(Sum(Square(yTrue), axis: -1) * Sum(Square(yPred), axis: -1)) + Epsilon);

    [Loss]
    static TensorExpr Mape([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => 100 * Mean(Abs((yTrue - yPred) / Max(Abs(yTrue), Epsilon)), axis: -1);

    [Loss]
    static TensorExpr Msle([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred)
        => Mean(Square(Log1p(Max(yPred, Epsilon)) - Log1p(Max(yTrue, Epsilon))), axis: -1);

    [Loss]
    static TensorExpr Pinball([Shape("B", "N")] TensorExpr yTrue, [Shape("B", "N")] TensorExpr yPred, Scalar tau)
    {
        var e = yTrue - yPred;
        return Mean(Max(tau * e, (tau - 1) * e), axis: -1);
    }

    [Loss]
    static TensorExpr LabelSmoothedCce([Shape("B", "C")] TensorExpr yTrue, [Shape("B", "C")] TensorExpr logits)
    {
        var y = yTrue * (1 - 0.1) + 0.1 / Dim(yTrue, axis: -1);
        return -Sum(y * LogSoftmax(logits, axis: -1), axis: -1);
    }

    [Loss]
    static TensorExpr GaussianNll([Shape("B", "N")] TensorExpr yTrue, [Differentiable, Shape("B", "N")] TensorExpr mean, [Shape("B", "N")] TensorExpr variance)
    {
        var v = Max(variance, 1e-6);
        return Mean(0.5 * (Log(v) + Square(yTrue - mean) / v), axis: -1);
    }
}
EOF
cat >"$F/Usage.cs" <<'EOF'
using System;
using System.Numerics.Tensors;

namespace Consumer;

/// <summary>Calls every formula once (float, SumOverBatchSize), as an application would.</summary>
public static class Usage
{
    public static int Run(float[] a, float[] b, int n)
    {
        var y = new ReadOnlyTensorSpan<float>(a, [n, n]);
        var p = new ReadOnlyTensorSpan<float>(b, [n, n]);
        float s = 0;
        s += Losses.Mse(y, p);
        s += Losses.Mae(y, p);
        s += Losses.Huber(y, p);
        s += Losses.LogCosh(y, p);
        s += Losses.Hinge(y, p);
        s += Losses.SquaredHinge(y, p);
        s += Losses.BinaryFocal(y, p, 2f);
        s += Losses.CategoricalFocalLogits(y, p, 2f);
        s += Losses.Dice(y, p);
        s += Losses.Tversky(y, p);
        s += Losses.Contrastive(y, p);
        s += Losses.BceWithLogits(y, p);
        s += Losses.KlDivergence(y, p);
        s += Losses.PoissonLoss(y, p);
        s += Losses.CosineSimilarity(y, p);
        s += Losses.Mape(y, p);
        s += Losses.Msle(y, p);
        s += Losses.Pinball(y, p, 0.9f);
        s += Losses.LabelSmoothedCce(y, p);
        s += Losses.GaussianNll(y, p, p);
        Console.WriteLine($"sum of 20 losses {s:R}");
        return float.IsFinite(s) ? 0 : 1;
    }
}
EOF

# ---- the same project without formulas
N="$OUTDIR/NoFormulas"
write_project "$N" NoFormulas
cat >"$N/Usage.cs" <<'EOF'
using System;

namespace Consumer;

/// <summary>The formula-free twin of Formulas20's Usage.cs.</summary>
public static class Usage
{
    public static int Run(float[] a, float[] b, int n)
    {
        Console.WriteLine($"no formulas ({n}x{n})");
        return a.Length == b.Length ? 0 : 1;
    }
}
EOF

echo "wrote $F and $N (runtime and generator of $REPO)"
