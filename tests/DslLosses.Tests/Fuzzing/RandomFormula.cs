using System;
using System.Collections.Generic;
using System.Linq;

namespace DslLosses.Tests.Fuzzing;

/// <summary>
/// A formula body as a tree of text templates: <see cref="Format"/> holds <c>{0}</c>, <c>{1}</c>, ... for the children.
/// Shrinking replaces a node by one of its children (or a leaf) while the failure persists.
/// </summary>
public sealed record Node(string Format, bool Row, Node[] Kids)
{
    public string Text => Kids.Length == 0 ? Format : string.Format(System.Globalization.CultureInfo.InvariantCulture, Format, Kids.Select(k => (object)k.Text).ToArray());

    public int Size => 1 + Kids.Sum(k => k.Size);

    /// <summary>Smaller trees, simplest first: each child that can stand in for this node, then this node with a child shrunk.</summary>
    public IEnumerable<Node> Shrinks()
    {
        foreach (Node k in Kids.Where(k => k.Row == Row))
            yield return k;
        if (!Row && Kids.Length > 0)
            yield return RandomFormula.Leaf("p");
        for (int i = 0; i < Kids.Length; i++)
        {
            foreach (Node smaller in Kids[i].Shrinks())
            {
                var kids = (Node[])Kids.Clone();
                kids[i] = smaller;
                yield return this with { Kids = kids };
            }
        }
    }
}

/// <summary>
/// Random well-typed formulas over the DSL with the fixed signature <see cref="Signature"/>: elementwise expressions
/// over <c>y</c>, <c>p</c>, <c>s</c> and constants, row reductions and normalisations along the loss axis, gathers at the
/// class indices <c>k</c>, and their mixtures; some are wrapped in <c>Masked(..., k != 0)</c> (Keras's
/// <c>ignore_class</c>, here class 0). Logs, exps and powers get clipped arguments, so every input is in the domain.
/// </summary>
public static class RandomFormula
{
    public const string Signature = "[Shape(\"B\", \"N\")] TensorExpr y, [Differentiable, Shape(\"B\", \"N\")] TensorExpr p, Scalar s, [Shape(\"B\")] Indices k";

    /// <summary>The text the masked formulas start with: their rows with class index 0 are taken out.</summary>
    public const string MaskPrefix = "Masked(";

    private static readonly string[] Unary =
    {
        "-({0})", "Abs({0})", "Square({0})", "Exp(Clip({0}, -4, 4))", "Log(Clip({0}, 0.05, 20))", "Log1p(Abs({0}))",
        "Sqrt(Abs({0}) + 0.25)", "Sigmoid({0})", "Softplus({0})", "Clip({0}, -2, 2)", "Pow(Clip({0}, 0.2, 3), 1.5)",
        "({0} * s)", "({0} + 0.5)", "(1 - {0})", "Max({0}, 0)", "Min({0}, -1)",
    };

    private static readonly string[] Binary =
    {
        "({0} + {1})", "({0} - {1})", "({0} * {1})", "({0} / (Abs({1}) + 1))", "Max({0}, {1})", "Min({0}, {1})",
        "Pow(Clip({0}, 0.2, 3), Clip({1}, -2, 2))",
    };

    private static readonly string[] Ternary = { "Clip({0}, {1}, {2})", "Where({0} > {1}, {2}, {0})" };

    private static readonly string[] RowOf =
    {
        "Mean({0}, -1)", "Sum({0}, -1)", "Max({0}, axis: -1)", "Min({0}, axis: -1)", "LogSumExp(Clip({0}, -10, 10), -1)",
        "-Sum(y * LogSoftmax({0}, -1), -1)", "Mean(Softmax({0}, -1) * y, -1)", "Gather({0}, k, -1)",
        "-Gather(LogSoftmax({0}, -1), k, -1)", "Gather(Softmax({0}, -1), k, -1)",
    };

    public static Node Leaf(string text) => new(text, false, Array.Empty<Node>());

    public static Node Next(Random random)
    {
        int top = random.Next(10);
        if (top < 3)
            return Elem(random, 3, rows: false);
        if (top < 5)
            return Elem(random, 3, rows: true);
        Node rows = RowExpr(random, 2);
        return top < 8 ? rows : new Node(MaskPrefix + "{0}, k != 0)", true, new[] { rows });
    }

    private static Node RowExpr(Random random, int depth)
    {
        if (depth > 0 && random.Next(4) == 0)
            return new Node(random.Next(3) switch { 0 => "({0} + {1})", 1 => "({0} * {1})", _ => "Max({0}, {1})" }, true, new[] { RowExpr(random, depth - 1), RowExpr(random, depth - 1) });
        if (depth > 0 && random.Next(5) == 0)
            return new Node(random.Next(2) == 0 ? "Log1p(Abs({0}))" : "({0} * s)", true, new[] { RowExpr(random, depth - 1) });
        return new Node(RowOf[random.Next(RowOf.Length)], true, new[] { Elem(random, 3, rows: depth > 1 && random.Next(3) == 0) });
    }

    private static Node Elem(Random random, int depth, bool rows)
    {
        if (depth == 0 || random.Next(4) == 0)
        {
            if (rows && random.Next(3) == 0)
                return RowExpr(random, 0) with { Row = false };
            return random.Next(6) switch
            {
                0 => Leaf("y"),
                1 => Leaf("s"),
                2 => Leaf(new[] { "0.5", "2", "1.5", "-1", "3" }[random.Next(5)]),
                _ => Leaf("p"),
            };
        }
        int kind = random.Next(10);
        if (kind < 4)
            return new Node(Unary[random.Next(Unary.Length)], false, new[] { Elem(random, depth - 1, rows) });
        if (kind < 9)
            return new Node(Binary[random.Next(Binary.Length)], false, new[] { Elem(random, depth - 1, rows), Elem(random, depth - 1, rows) });
        return new Node(Ternary[random.Next(Ternary.Length)], false, new[] { Elem(random, depth - 1, rows), Elem(random, depth - 1, rows), Elem(random, depth - 1, rows) });
    }
}
