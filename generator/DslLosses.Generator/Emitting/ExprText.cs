using System.Collections.Generic;
using System.Globalization;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;

namespace DslLosses.Generator.Emitting;

/// <summary>
/// The lowered IR written back in the DSL's notation, for the comments that say which fragment of the formula a stage
/// of a kernel computes. Long fragments are cut with an ellipsis; shared subtrees are printed where they are used (the
/// text is bounded by <c>max</c>, so this stays linear).
/// </summary>
internal static class ExprText
{
    public static string Print(Expr node, FormulaModel formula, int max)
    {
        var text = new System.Text.StringBuilder();
        Write(node, formula, text, max);
        string s = text.ToString();
        return s.Length <= max ? s : s.Substring(0, max) + "...";
    }

    private static void Write(Expr node, FormulaModel f, System.Text.StringBuilder text, int max)
    {
        if (text.Length > max)
            return;
        switch (node)
        {
            case Const c:
                text.Append(c.Value.ToString("R", CultureInfo.InvariantCulture));
                break;
            case Param p:
                text.Append(f.Parameters[p.Index].Name);
                break;
            case Unary { Op: UnaryOp.Neg } u:
                text.Append('-');
                Operand(u.X, f, text, max);
                break;
            case Unary { Op: UnaryOp.Not } u:
                text.Append('!');
                Operand(u.X, f, text, max);
                break;
            case Unary u:
                Call(u.Op.ToString(), text, f, max, u.X);
                break;
            case Binary b when Infix(b.Op) is { } op:
                Operand(b.Left, f, text, max, Precedence(b.Op), right: false, b.Op);
                text.Append(' ').Append(op).Append(' ');
                Operand(b.Right, f, text, max, Precedence(b.Op), right: true, b.Op);
                break;
            case Binary b:
                Call(b.Op.ToString(), text, f, max, b.Left, b.Right);
                break;
            case Where w:
                Call("Where", text, f, max, w.Condition, w.WhenTrue, w.WhenFalse);
                break;
            case Clip c:
                Call("Clip", text, f, max, c.X, c.Lo, c.Hi);
                break;
            case Reduce r:
                Call(r.Op.ToString(), text, f, max, r.X);
                break;
            case AxisMap a:
                Call(a.Op.ToString(), text, f, max, a.X);
                break;
            case Gather g:
                Operand(g.X, f, text, max);
                text.Append('[');
                Write(g.Index, f, text, max);
                text.Append(']');
                break;
            case AxisLength:
                text.Append("C");
                break;
            case AxisIndexIs a:
                text.Append("j == ");
                Write(a.Index, f, text, max);
                break;
            case Masked m:
                Call("Masked", text, f, max, m.Loss, m.Keep);
                break;
            default:
                text.Append(node.GetType().Name);
                break;
        }
    }

    private static void Call(string name, System.Text.StringBuilder text, FormulaModel f, int max, params Expr[] args)
    {
        text.Append(name).Append('(');
        for (int i = 0; i < args.Length; i++)
        {
            if (i > 0)
                text.Append(", ");
            Write(args[i], f, text, max);
        }
        text.Append(')');
    }

    /// <summary>An operand of an infix operator: in parentheses only where precedence (or a right operand of - or /) needs them.</summary>
    private static void Operand(Expr node, FormulaModel f, System.Text.StringBuilder text, int max, int parent, bool right, BinaryOp op)
    {
        bool parens = node is Binary b && Infix(b.Op) is not null
            && (Precedence(b.Op) < parent || (right && Precedence(b.Op) == parent && op is BinaryOp.Sub or BinaryOp.Div));
        if (parens)
            text.Append('(');
        Write(node, f, text, max);
        if (parens)
            text.Append(')');
    }

    private static int Precedence(BinaryOp op) => op switch
    {
        BinaryOp.Mul or BinaryOp.Div => 3,
        BinaryOp.Add or BinaryOp.Sub => 2,
        BinaryOp.And or BinaryOp.Or => 0,
        _ => 1,
    };

    private static void Operand(Expr node, FormulaModel f, System.Text.StringBuilder text, int max)
    {
        bool parens = node is Binary b && Infix(b.Op) is not null;
        if (parens)
            text.Append('(');
        Write(node, f, text, max);
        if (parens)
            text.Append(')');
    }

    private static string? Infix(BinaryOp op) => op switch
    {
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Lt => "<",
        BinaryOp.Gt => ">",
        BinaryOp.Le => "<=",
        BinaryOp.Ge => ">=",
        BinaryOp.Eq => "==",
        BinaryOp.Ne => "!=",
        BinaryOp.And => "&",
        BinaryOp.Or => "|",
        _ => null,
    };
}
