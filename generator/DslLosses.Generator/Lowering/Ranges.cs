using System;
using System.Collections.Generic;
using DslLosses.Generator.Ir;

namespace DslLosses.Generator.Lowering;

/// <summary>
/// Interval analysis of the lowered IR: the values a subexpression can take when it is not NaN. The emitter uses it to
/// drop special-value handling the data cannot reach, e.g. the logarithm of <c>Clip(p, eps, 1 - eps) + eps</c> is the
/// logarithm of a positive normal finite number (or of NaN, which the kernels still pass through).
/// </summary>
/// <remarks>
/// Bounds are sound for the element type's arithmetic: a constant subexpression is folded exactly as the emitted C#
/// folds it (per operation, rounded to the type); any other result is widened outwards by far more than one rounding,
/// and by the smallest subnormal, so that a bound never excludes a value the kernel can compute.
/// </remarks>
internal sealed class Ranges
{
    private readonly bool _single;
    private readonly Dictionary<Expr, Interval> _memo = new();

    /// <param name="single">Whether the kernel computes in float (constants and folds round to float), else in double.</param>
    public Ranges(bool single) => _single = single;

    /// <summary>Whether every non-NaN value of <paramref name="node"/> is a positive normal finite number of the type.</summary>
    public bool IsPositiveNormalFinite(Expr node)
    {
        Interval r = Of(node);
        double smallestNormal = _single ? 1.1754943508222875e-38 : 2.2250738585072014e-308;
        double largest = _single ? float.MaxValue : double.MaxValue;
        return r.Lo >= smallestNormal && r.Hi <= largest;
    }

    public Interval Of(Expr node)
    {
        if (_memo.TryGetValue(node, out Interval known))
            return known;
        Interval result = Compute(node);
        _memo[node] = result;
        return result;
    }

    private Interval Compute(Expr node)
    {
        switch (node)
        {
            case Const c:
                return Interval.Point(Round(c.Value));
            case AxisLength:
                return new Interval(0, double.PositiveInfinity);
            case Unary u:
            {
                Interval x = Of(u.X);
                switch (u.Op)
                {
                    case UnaryOp.StopGradient:
                        return x;
                    case UnaryOp.Neg:
                        return new Interval(-x.Hi, -x.Lo);
                    case UnaryOp.Abs:
                        return x.Lo >= 0 ? x : x.Hi <= 0 ? new Interval(-x.Hi, -x.Lo) : new Interval(0, Math.Max(-x.Lo, x.Hi));
                    case UnaryOp.Square:
                    {
                        if (x.IsPoint)
                            return Interval.Point(Fold(x.Lo * x.Lo, x.Lo, x.Lo, '*'));
                        Interval a = x.Lo >= 0 ? x : x.Hi <= 0 ? new Interval(-x.Hi, -x.Lo) : new Interval(0, Math.Max(-x.Lo, x.Hi));
                        return Result(a.Lo * a.Lo, a.Hi * a.Hi, false);
                    }
                    case UnaryOp.Exp:
                        return Result(Math.Exp(x.Lo), Math.Exp(x.Hi), false, atLeastZero: true);
                    case UnaryOp.Sigmoid:
                        return new Interval(0, 1);
                    case UnaryOp.Softplus:
                        return new Interval(0, double.PositiveInfinity);
                    case UnaryOp.Tanh:
                        return new Interval(-1, 1);
                    case UnaryOp.Cosh:
                        return new Interval(1, double.PositiveInfinity);
                    case UnaryOp.Sqrt:
                        return x.Lo >= 0 ? Result(Math.Sqrt(x.Lo), Math.Sqrt(x.Hi), false, atLeastZero: true) : Interval.All;
                    default:
                        return Interval.All;
                }
            }
            case Binary b:
            {
                Interval l = Of(b.Left), r = Of(b.Right);
                bool point = l.IsPoint && r.IsPoint;
                switch (b.Op)
                {
                    case BinaryOp.Add:
                        return point ? Interval.Point(Fold(l.Lo + r.Lo, l.Lo, r.Lo, '+')) : Result(l.Lo + r.Lo, l.Hi + r.Hi, false);
                    case BinaryOp.Sub:
                        return point ? Interval.Point(Fold(l.Lo - r.Lo, l.Lo, r.Lo, '-')) : Result(l.Lo - r.Hi, l.Hi - r.Lo, false);
                    case BinaryOp.Mul:
                        return point ? Interval.Point(Fold(l.Lo * r.Lo, l.Lo, r.Lo, '*')) : Products(l, r);
                    case BinaryOp.Div:
                        if (point && r.Lo != 0)
                            return Interval.Point(Fold(l.Lo / r.Lo, l.Lo, r.Lo, '/'));
                        if (!(r.Lo > 0 || r.Hi < 0))
                            return Interval.All;
                        return Products(l, new Interval(1 / r.Hi, 1 / r.Lo));
                    case BinaryOp.Max:
                        return new Interval(Math.Max(l.Lo, r.Lo), Math.Max(l.Hi, r.Hi));
                    case BinaryOp.Min:
                        return new Interval(Math.Min(l.Lo, r.Lo), Math.Min(l.Hi, r.Hi));
                    default:
                        return Interval.All;
                }
            }
            case Clip c:
            {
                // max(min(x, hi), lo)
                Interval x = Of(c.X), lo = Of(c.Lo), hi = Of(c.Hi);
                var upper = new Interval(Math.Min(x.Lo, hi.Lo), Math.Min(x.Hi, hi.Hi));
                return new Interval(Math.Max(upper.Lo, lo.Lo), Math.Max(upper.Hi, lo.Hi));
            }
            case Where w:
            {
                Interval t = Of(w.WhenTrue), f = Of(w.WhenFalse);
                return new Interval(Math.Min(t.Lo, f.Lo), Math.Max(t.Hi, f.Hi));
            }
            default:
                return Interval.All;
        }
    }

    /// <summary>The products of the end points (an infinite times a zero end point leaves the product unbounded).</summary>
    private Interval Products(Interval a, Interval b)
    {
        double p1 = a.Lo * b.Lo, p2 = a.Lo * b.Hi, p3 = a.Hi * b.Lo, p4 = a.Hi * b.Hi;
        if (double.IsNaN(p1) || double.IsNaN(p2) || double.IsNaN(p3) || double.IsNaN(p4))
            return Interval.All;
        return Result(Math.Min(Math.Min(p1, p2), Math.Min(p3, p4)), Math.Max(Math.Max(p1, p2), Math.Max(p3, p4)), false);
    }

    /// <summary>An interval computed in double, widened outwards to cover the type's rounding (not a point: no widening).</summary>
    private Interval Result(double lo, double hi, bool point, bool atLeastZero = false)
    {
        if (double.IsNaN(lo) || double.IsNaN(hi))
            return Interval.All;
        if (point && lo == hi)
            return Interval.Point(Round(lo));
        const double Relative = 1.0 / (1 << 20);
        double tiny = _single ? 1.401298464324817e-45 : double.Epsilon;
        double wlo = lo - Math.Abs(lo) * Relative - tiny;
        double whi = hi + Math.Abs(hi) * Relative + tiny;
        if (atLeastZero && wlo < 0)
            wlo = 0;
        return new Interval(wlo, whi);
    }

    private double Round(double value) => _single ? (float)value : value;

    /// <summary>One operation on two constants, as the emitted code computes it (in float for float kernels).</summary>
    private double Fold(double inDouble, double a, double b, char op)
    {
        if (!_single)
            return inDouble;
        float x = (float)a, y = (float)b;
        float r = op switch { '+' => x + y, '-' => x - y, '*' => x * y, _ => x / y };
        return r;
    }
}

/// <summary>A closed interval of doubles; <see cref="All"/> when nothing is known.</summary>
internal readonly struct Interval
{
    public Interval(double lo, double hi)
    {
        Lo = lo;
        Hi = hi;
    }

    public double Lo { get; }

    public double Hi { get; }

    public bool IsPoint => Lo == Hi;

    public static Interval All => new(double.NegativeInfinity, double.PositiveInfinity);

    public static Interval Point(double value) => new(value, value);
}
