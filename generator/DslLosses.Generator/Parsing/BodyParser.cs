using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using DslLosses.Generator.Diagnostics;
using DslLosses.Generator.Ir;
using DslLosses.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace DslLosses.Generator.Parsing;

/// <summary>
/// Reads a formula body: <c>var</c> locals and one final <c>return</c>, over operators, constants, parameters and
/// <c>DslLosses.Dsl</c> calls. Anything else is a diagnostic at the offending node.
/// </summary>
internal sealed class BodyParser
{
    private readonly SemanticModel _model;
    private readonly IMethodSymbol _method;
    private readonly SourceMap _map;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<string, Expr> _locals = new(StringComparer.Ordinal);
    private readonly List<LocalValue> _named = new();

    /// <summary>In a helper method being inlined: its parameters' values (the call's arguments, parsed in the caller).</summary>
    private readonly Dictionary<IParameterSymbol, Expr> _arguments = new(SymbolEqualityComparer.Default);

    /// <summary>The helper methods being inlined around this body (a helper may not call itself, directly or not).</summary>
    private readonly HashSet<IMethodSymbol> _inlining = new(SymbolEqualityComparer.Default);

    /// <summary>How deep helper calls may nest: far beyond any real formula, short of a stack overflow.</summary>
    private const int MaxHelperDepth = 16;

    /// <summary>The formula's locals in the order declared, each with its value (the emitter names temporaries after them).</summary>
    public IReadOnlyList<LocalValue> Locals => _named;

    public BodyParser(SemanticModel model, IMethodSymbol method, SourceMap map, List<DiagnosticInfo> diagnostics, CancellationToken cancellationToken)
    {
        _model = model;
        _method = method;
        _map = map;
        _diagnostics = diagnostics;
        _cancellationToken = cancellationToken;
    }

    public Expr? ParseBody(MethodDeclarationSyntax syntax)
    {
        if (syntax.ExpressionBody is { } arrow)
            return ParseExpr(arrow.Expression);
        if (syntax.Body is not { } block)
        {
            Report(DiagnosticDescriptors.UnsupportedConstruct, syntax.Identifier.GetLocation(), syntax.Identifier.ValueText, "a formula needs a body that returns the loss");
            return null;
        }

        Expr? result = null;
        for (int i = 0; i < block.Statements.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            StatementSyntax statement = block.Statements[i];
            switch (statement)
            {
                case LocalDeclarationStatementSyntax local when !local.IsConst && local.UsingKeyword.IsKind(SyntaxKind.None):
                    foreach (VariableDeclaratorSyntax variable in local.Declaration.Variables)
                    {
                        if (variable.Initializer is null)
                        {
                            Report(DiagnosticDescriptors.UnsupportedConstruct, variable.GetLocation(), variable.ToString(), "a local must be initialised where it is declared (var x = ...;)");
                            continue;
                        }
                        Expr? value = ParseExpr(variable.Initializer.Value);
                        if (value is not null)
                        {
                            _locals[variable.Identifier.ValueText] = value;
                            _named.Add(new LocalValue(variable.Identifier.ValueText, value));
                        }
                    }
                    break;
                case LocalDeclarationStatementSyntax { IsConst: true }:
                    break; // constants are read through the semantic model where they are used
                case ReturnStatementSyntax { Expression: { } expression }:
                    result = ParseExpr(expression);
                    if (i != block.Statements.Count - 1)
                        Report(DiagnosticDescriptors.UnsupportedConstruct, block.Statements[i + 1].GetLocation(), Head(block.Statements[i + 1]), "nothing may follow the return statement");
                    return result;
                case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                    Report(DiagnosticDescriptors.UnsupportedConstruct, assignment.GetLocation(), Head(assignment), "formula locals are single assignments; declare a new local (var y2 = ...;) instead of assigning");
                    break;
                default:
                    Report(DiagnosticDescriptors.UnsupportedConstruct, statement.GetLocation(), Head(statement), Explain(statement));
                    break;
            }
        }
        if (result is null)
            Report(DiagnosticDescriptors.UnsupportedConstruct, syntax.Identifier.GetLocation(), syntax.Identifier.ValueText, "the formula must end with 'return <loss>;'");
        return result;
    }

    private static string Explain(StatementSyntax statement) => statement switch
    {
        IfStatementSyntax => "branches are elementwise in a formula: use Where(condition, a, b)",
        ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax => "loops are generated for you: use the axis operations Sum, Mean, Max, LogSumExp, ...",
        _ => "a formula body holds 'var' locals and one final return",
    };

    private static string Head(SyntaxNode node)
    {
        string text = string.Join(" ", node.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }

    private void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    private T At<T>(T node, SyntaxNode syntax)
        where T : Expr
        => _map.Add(node, syntax.GetLocation());

    public Expr? ParseExpr(ExpressionSyntax syntax)
    {
        _cancellationToken.ThrowIfCancellationRequested();

        // Constant expressions of any shape (literals, consts, 1.0 / 3) fold through the compiler.
        Optional<object?> constant = _model.GetConstantValue(syntax, _cancellationToken);
        if (constant.HasValue && constant.Value is not null and not bool and not string and not char)
        {
            try
            {
                return At(new Const(Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture)), syntax);
            }
            catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
            {
                // fall through to the syntax-directed cases
            }
        }

        switch (syntax)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return ParseExpr(parenthesized.Expression);
            case CastExpressionSyntax cast:
                return ParseExpr(cast.Expression);
            case PrefixUnaryExpressionSyntax prefix:
                return ParsePrefix(prefix);
            case BinaryExpressionSyntax binary:
                return ParseBinary(binary);
            case IdentifierNameSyntax identifier:
                return ParseIdentifier(identifier);
            case MemberAccessExpressionSyntax member when member.Parent is not InvocationExpressionSyntax:
                return ParseIdentifier(member);
            case InvocationExpressionSyntax invocation:
                return ParseInvocation(invocation);
            case ConditionalExpressionSyntax:
                Report(DiagnosticDescriptors.UnsupportedConstruct, syntax.GetLocation(), Head(syntax), "the ?: operator needs a bool; use Where(condition, a, b) for an elementwise choice");
                return null;
            default:
                Report(DiagnosticDescriptors.UnsupportedConstruct, syntax.GetLocation(), Head(syntax), "formulas are built from parameters, locals, numeric constants, + - * /, comparisons and DslLosses.Dsl functions");
                return null;
        }
    }

    private Expr? ParsePrefix(PrefixUnaryExpressionSyntax prefix)
    {
        Expr? operand = ParseExpr(prefix.Operand);
        if (operand is null)
            return null;
        switch (prefix.Kind())
        {
            case SyntaxKind.UnaryMinusExpression:
                return At(new Unary(UnaryOp.Neg, operand), prefix);
            case SyntaxKind.UnaryPlusExpression:
                return operand;
            case SyntaxKind.LogicalNotExpression:
                return At(new Unary(UnaryOp.Not, operand), prefix);
            default:
                Report(DiagnosticDescriptors.UnsupportedConstruct, prefix.GetLocation(), Head(prefix), $"the operator '{prefix.OperatorToken.ValueText}' is not part of the DSL");
                return null;
        }
    }

    private Expr? ParseBinary(BinaryExpressionSyntax binary)
    {
        BinaryOp? op = binary.Kind() switch
        {
            SyntaxKind.AddExpression => BinaryOp.Add,
            SyntaxKind.SubtractExpression => BinaryOp.Sub,
            SyntaxKind.MultiplyExpression => BinaryOp.Mul,
            SyntaxKind.DivideExpression => BinaryOp.Div,
            SyntaxKind.LessThanExpression => BinaryOp.Lt,
            SyntaxKind.GreaterThanExpression => BinaryOp.Gt,
            SyntaxKind.LessThanOrEqualExpression => BinaryOp.Le,
            SyntaxKind.GreaterThanOrEqualExpression => BinaryOp.Ge,
            SyntaxKind.EqualsExpression => BinaryOp.Eq,
            SyntaxKind.NotEqualsExpression => BinaryOp.Ne,
            SyntaxKind.BitwiseAndExpression => BinaryOp.And,
            SyntaxKind.BitwiseOrExpression => BinaryOp.Or,
            _ => null,
        };
        if (op is null)
        {
            string why = binary.Kind() is SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression
                ? "masks combine elementwise with & and |"
                : $"the operator '{binary.OperatorToken.ValueText}' is not part of the DSL";
            Report(DiagnosticDescriptors.UnsupportedConstruct, binary.GetLocation(), Head(binary), why);
            return null;
        }
        Expr? left = ParseExpr(binary.Left);
        Expr? right = ParseExpr(binary.Right);
        return left is null || right is null ? null : At(new Binary(op.Value, left, right), binary);
    }

    private Expr? ParseIdentifier(ExpressionSyntax syntax)
    {
        ISymbol? symbol = _model.GetSymbolInfo(syntax, _cancellationToken).Symbol;
        switch (symbol)
        {
            case IParameterSymbol parameter when _arguments.TryGetValue(parameter, out Expr? argument):
                return argument;
            case IParameterSymbol parameter when SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, _method):
                return At(new Param(parameter.Ordinal, KindOf(parameter.Type)), syntax);
            case ILocalSymbol local when _locals.TryGetValue(local.Name, out Expr? value):
                return value;
            case IPropertySymbol { Name: "Epsilon" } property when property.ContainingType.ToDisplayString() == FormulaParser.DslTypeName:
                return At(new Const(FormulaParser.Epsilon), syntax);
            default:
                Report(DiagnosticDescriptors.UnknownFunction, syntax.GetLocation(), Head(syntax),
                    symbol is IFieldSymbol or IPropertySymbol ? "; fields and properties other than constants cannot be read (pass the value as a Scalar parameter)" : "");
                return null;
        }
    }

    private static ParamKind KindOf(ITypeSymbol type) => type.ToDisplayString() switch
    {
        FormulaParser.IndicesTypeName => ParamKind.Indices,
        FormulaParser.ScalarTypeName => ParamKind.Scalar,
        "int" => ParamKind.Int,
        _ => ParamKind.Tensor,
    };

    private Expr? ParseInvocation(InvocationExpressionSyntax invocation)
    {
        if (_model.GetOperation(invocation, _cancellationToken) is not IInvocationOperation operation ||
            operation.TargetMethod.ContainingType?.ToDisplayString() != FormulaParser.DslTypeName)
        {
            if (FoldConstant(invocation) is { } folded)
                return At(new Const(folded), invocation);
            ISymbol? target = _model.GetSymbolInfo(invocation, _cancellationToken).Symbol;
            if (target is IMethodSymbol helper && IsHelper(helper) && _model.GetOperation(invocation, _cancellationToken) is IInvocationOperation call)
                return InlineHelper(invocation, helper, call);
            string hint = target is IMethodSymbol { ContainingType: { } t } m && t.ToDisplayString() is "System.Math" or "System.MathF"
                ? $"; use {m.Name} from DslLosses.Dsl (using static DslLosses.Dsl;), or call it on constants only (Math.Log(2.0) is folded at compile time)"
                : "; a helper method is inlined when it is static, declared in the formula's type, non-generic, and takes and returns DSL values (TensorExpr, Scalar, Mask, Indices, int)";
            Report(DiagnosticDescriptors.UnknownFunction, invocation.Expression.GetLocation(), Head(invocation.Expression), hint);
            return null;
        }

        IMethodSymbol method = operation.TargetMethod;
        var args = new Dictionary<string, IArgumentOperation>(StringComparer.Ordinal);
        foreach (IArgumentOperation argument in operation.Arguments)
        {
            if (argument.Parameter is not null)
                args[argument.Parameter.Name] = argument;
        }

        Expr? Arg(string name) => args.TryGetValue(name, out IArgumentOperation? a) && a.Value.Syntax is ExpressionSyntax e ? ParseExpr(UnwrapArgument(e)) : null;
        int? Axis()
        {
            if (!args.TryGetValue("axis", out IArgumentOperation? a))
                return null;
            Optional<object?> value = _model.GetConstantValue(UnwrapArgument((ExpressionSyntax)a.Value.Syntax), _cancellationToken);
            if (value.HasValue && value.Value is int axis)
                return axis;
            Report(DiagnosticDescriptors.InvalidArgument, a.Value.Syntax.GetLocation(),
                $"The axis of {method.Name} must be a constant integer such as -1, not '{Head(a.Value.Syntax)}'");
            return null;
        }

        // several axes (axes: [1, 2, 3] or NonBatchAxes): the node keeps the last axis, the list goes to the source map
        WrittenAxes? axes = null;
        bool axesInvalid = false;
        if (args.TryGetValue("axes", out IArgumentOperation? axesArgument))
        {
            axes = Axes((ExpressionSyntax)axesArgument.Value.Syntax);
            if (axes is null)
            {
                axesInvalid = true;
                Report(DiagnosticDescriptors.InvalidArgument, axesArgument.Value.Syntax.GetLocation(),
                    $"The axes of {method.Name} must be a list of constant integers such as [1, 2, 3], or NonBatchAxes, not '{Head(axesArgument.Value.Syntax)}'");
            }
        }

        bool hasAxisParameter = method.Parameters.Any(p => p.Type.ToDisplayString() == FormulaParser.AxisTypeName || p.Name == "axes");
        switch (method.Name)
        {
            case "Log": return UnaryCall(UnaryOp.Log);
            case "Log1p": return UnaryCall(UnaryOp.Log1p);
            case "Exp": return UnaryCall(UnaryOp.Exp);
            case "Abs": return UnaryCall(UnaryOp.Abs);
            case "Sqrt": return UnaryCall(UnaryOp.Sqrt);
            case "Square": return UnaryCall(UnaryOp.Square);
            case "Sigmoid": return UnaryCall(UnaryOp.Sigmoid);
            case "Softplus": return UnaryCall(UnaryOp.Softplus);
            case "Tanh": return UnaryCall(UnaryOp.Tanh);
            case "Sinh": return UnaryCall(UnaryOp.Sinh);
            case "Cosh": return UnaryCall(UnaryOp.Cosh);
            case "Sign": return UnaryCall(UnaryOp.Sign);
            case "StopGradient": return UnaryCall(UnaryOp.StopGradient);
            case "Max" when !hasAxisParameter: return BinaryCall(BinaryOp.Max);
            case "Min" when !hasAxisParameter: return BinaryCall(BinaryOp.Min);
            case "Pow": return BinaryCall(BinaryOp.Pow);
            case "Max": return ReduceCall(ReduceOp.Max);
            case "Min": return ReduceCall(ReduceOp.Min);
            case "Sum": return ReduceCall(ReduceOp.Sum);
            case "Mean": return ReduceCall(ReduceOp.Mean);
            case "LogSumExp": return ReduceCall(ReduceOp.LogSumExp);
            case "LogSoftmax": return MapCall(AxisMapOp.LogSoftmax);
            case "Softmax": return MapCall(AxisMapOp.Softmax);
            case "Clip":
            {
                Expr? x = Arg("x"), lo = Arg("lo"), hi = Arg("hi");
                return x is null || lo is null || hi is null ? null : At(new Clip(x, lo, hi), invocation);
            }
            case "Where":
            {
                Expr? c = Arg("condition"), a = Arg("whenTrue"), b = Arg("whenFalse");
                return c is null || a is null || b is null ? null : At(new Where(c, a, b), invocation);
            }
            case "Gather":
            {
                Expr? x = Arg("x"), index = Arg("index");
                int? axis = Axis();
                return x is null || index is null || axis is null ? null : At(new Gather(x, index, axis.Value), invocation);
            }
            case "Dim":
            {
                Expr? x = Arg("x");
                int? axis = Axis();
                return x is null || axis is null ? null : At(new AxisLength(axis.Value), invocation);
            }
            case "Masked":
            {
                Expr? loss = Arg("loss"), keep = Arg("keep");
                return loss is null || keep is null ? null : At(new Masked(loss, keep), invocation);
            }
            default:
                Report(DiagnosticDescriptors.UnknownFunction, invocation.Expression.GetLocation(), Head(invocation.Expression), "");
                return null;
        }

        Expr? UnaryCall(UnaryOp op)
        {
            Expr? x = Arg("x");
            return x is null ? null : At(new Unary(op, x), invocation);
        }

        Expr? BinaryCall(BinaryOp op)
        {
            Expr? x = Arg("x"), y = Arg("y");
            return x is null || y is null ? null : At(new Binary(op, x, y), invocation);
        }

        Expr? ReduceCall(ReduceOp op)
        {
            Expr? x = Arg("x");
            int? axis = axes is not null || axesInvalid ? null : Axis();
            if (x is null || axesInvalid || (axis is null && axes is null))
                return null;
            return Several(At(new Reduce(op, x, axis ?? -1), invocation));
        }

        Expr? MapCall(AxisMapOp op)
        {
            Expr? x = Arg("x");
            int? axis = axes is not null || axesInvalid ? null : Axis();
            if (x is null || axesInvalid || (axis is null && axes is null))
                return null;
            return Several(At(new AxisMap(op, x, axis ?? -1), invocation));
        }

        Expr Several(Expr node)
        {
            if (axes is not null)
                _map.AddAxes(node, axes);
            return node;
        }
    }

    private static ExpressionSyntax UnwrapArgument(ExpressionSyntax syntax) => syntax;

    /// <summary>The <c>axes</c> of an axis operation: a collection expression or array of constants, or <c>NonBatchAxes</c>; null otherwise.</summary>
    private WrittenAxes? Axes(ExpressionSyntax syntax)
    {
        if (_model.GetSymbolInfo(syntax, _cancellationToken).Symbol is IPropertySymbol { Name: "NonBatchAxes" } property
            && property.ContainingType.ToDisplayString() == FormulaParser.DslTypeName)
            return new WrittenAxes(EquatableArray<int>.Empty, NonBatch: true);
        IEnumerable<ExpressionSyntax>? elements = syntax switch
        {
            CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax)
                => collection.Elements.Select(e => ((ExpressionElementSyntax)e).Expression),
            ImplicitArrayCreationExpressionSyntax implicitArray => implicitArray.Initializer.Expressions,
            ArrayCreationExpressionSyntax { Initializer: { } initializer } => initializer.Expressions,
            _ => null,
        };
        if (elements is null)
            return null;
        var values = new List<int>();
        foreach (ExpressionSyntax element in elements)
        {
            Optional<object?> value = _model.GetConstantValue(element, _cancellationToken);
            if (!value.HasValue || value.Value is not int axis)
                return null;
            values.Add(axis);
        }
        return values.Count == 0 ? null : new WrittenAxes(values.ToEquatableArray(), NonBatch: false);
    }

    /// <summary>A method the generator inlines: static, in the formula's type, non-generic, over DSL values, with source.</summary>
    private bool IsHelper(IMethodSymbol helper)
        => helper.IsStatic && !helper.IsGenericMethod && helper.MethodKind == MethodKind.Ordinary
           && SymbolEqualityComparer.Default.Equals(helper.ContainingType, _method.ContainingType)
           && IsDslValue(helper.ReturnType) && helper.Parameters.All(p => p.RefKind == RefKind.None && !p.IsParams && IsDslValue(p.Type))
           && helper.DeclaringSyntaxReferences.Length == 1;

    private static bool IsDslValue(ITypeSymbol type) => type.ToDisplayString() is FormulaParser.TensorTypeName or FormulaParser.ScalarTypeName
        or FormulaParser.IndicesTypeName or FormulaParser.MaskTypeName or "int";

    /// <summary>
    /// A call of a helper method, inlined: the arguments are parsed here, then the helper's body with its parameters
    /// standing for them, checked later with the formula. Problems inside the helper are reported where they are written.
    /// </summary>
    private Expr? InlineHelper(InvocationExpressionSyntax invocation, IMethodSymbol helper, IInvocationOperation call)
    {
        if (_inlining.Contains(helper) || _inlining.Count >= MaxHelperDepth)
        {
            Report(DiagnosticDescriptors.UnsupportedConstruct, invocation.GetLocation(), Head(invocation),
                _inlining.Contains(helper) ? "a helper method is inlined, so it cannot call itself (directly or through another helper)" : $"helper calls nest more than {MaxHelperDepth} deep");
            return null;
        }
        if (helper.DeclaringSyntaxReferences[0].GetSyntax(_cancellationToken) is not MethodDeclarationSyntax declaration)
            return null;

        var arguments = new Dictionary<IParameterSymbol, Expr>(SymbolEqualityComparer.Default);
        foreach (IArgumentOperation argument in call.Arguments)
        {
            if (argument.Parameter is not { } parameter)
                return null;
            Expr? value = argument.ArgumentKind == ArgumentKind.DefaultValue
                ? parameter.HasExplicitDefaultValue && parameter.ExplicitDefaultValue is IConvertible c and not bool and not string
                    ? new Const(Convert.ToDouble(c, System.Globalization.CultureInfo.InvariantCulture))
                    : null
                : argument.Value.Syntax is ExpressionSyntax e ? ParseExpr(e) : null;
            if (value is null)
                return null;
            arguments[parameter.OriginalDefinition] = value;
        }

        SemanticModel model = declaration.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(declaration.SyntaxTree);
        var body = new BodyParser(model, _method, _map, _diagnostics, _cancellationToken);
        foreach (KeyValuePair<IParameterSymbol, Expr> argument in arguments)
            body._arguments[argument.Key] = argument.Value;
        body._inlining.UnionWith(_inlining);
        body._inlining.Add(helper);
        return body.ParseBody(declaration);
    }

    /// <summary>
    /// The value of a compile-time constant expression that C# does not fold itself: calls of <c>System.Math</c> and
    /// <c>System.MathF</c> functions on constants (<c>Math.Log(2.0)</c>, <c>Math.Sqrt(2 * Math.PI)</c>), evaluated in
    /// double (a <c>MathF</c> result rounded to float, as it returns); null for anything else.
    /// </summary>
    private double? FoldConstant(ExpressionSyntax syntax)
    {
        Optional<object?> constant = _model.GetConstantValue(syntax, _cancellationToken);
        if (constant.HasValue)
            return constant.Value is IConvertible and not bool and not string and not char ? Convert.ToDouble(constant.Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        switch (syntax)
        {
            case ParenthesizedExpressionSyntax p:
                return FoldConstant(p.Expression);
            case CastExpressionSyntax c:
                return FoldConstant(c.Expression);
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression):
                return -FoldConstant(u.Operand);
            case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryPlusExpression):
                return FoldConstant(u.Operand);
            case BinaryExpressionSyntax b when FoldConstant(b.Left) is { } l && FoldConstant(b.Right) is { } r:
                return b.Kind() switch
                {
                    SyntaxKind.AddExpression => l + r,
                    SyntaxKind.SubtractExpression => l - r,
                    SyntaxKind.MultiplyExpression => l * r,
                    SyntaxKind.DivideExpression => l / r,
                    _ => null,
                };
            case InvocationExpressionSyntax call
                when _model.GetSymbolInfo(call, _cancellationToken).Symbol is IMethodSymbol { IsStatic: true, ContainingType: { } type } method
                     && type.ToDisplayString() is "System.Math" or "System.MathF":
            {
                var args = new double[call.ArgumentList.Arguments.Count];
                for (int i = 0; i < args.Length; i++)
                {
                    if (FoldConstant(call.ArgumentList.Arguments[i].Expression) is not { } a)
                        return null;
                    args[i] = a;
                }
                double? value = MathFunction(method.Name, args);
                return value is { } v && type.Name == "MathF" ? (float)v : value;
            }
            default:
                return null;
        }
    }

    private static double? MathFunction(string name, double[] a) => (name, a.Length) switch
    {
        ("Abs", 1) => Math.Abs(a[0]),
        ("Acos", 1) => Math.Acos(a[0]),
        ("Asin", 1) => Math.Asin(a[0]),
        ("Atan", 1) => Math.Atan(a[0]),
        ("Atan2", 2) => Math.Atan2(a[0], a[1]),
        ("Ceiling", 1) => Math.Ceiling(a[0]),
        ("Cos", 1) => Math.Cos(a[0]),
        ("Cosh", 1) => Math.Cosh(a[0]),
        ("Exp", 1) => Math.Exp(a[0]),
        ("Floor", 1) => Math.Floor(a[0]),
        ("Log", 1) => Math.Log(a[0]),
        ("Log", 2) => Math.Log(a[0], a[1]),
        ("Log10", 1) => Math.Log10(a[0]),
        ("Max", 2) => Math.Max(a[0], a[1]),
        ("Min", 2) => Math.Min(a[0], a[1]),
        ("Pow", 2) => Math.Pow(a[0], a[1]),
        ("Round", 1) => Math.Round(a[0]),
        ("Sin", 1) => Math.Sin(a[0]),
        ("Sinh", 1) => Math.Sinh(a[0]),
        ("Sqrt", 1) => Math.Sqrt(a[0]),
        ("Tan", 1) => Math.Tan(a[0]),
        ("Tanh", 1) => Math.Tanh(a[0]),
        ("Truncate", 1) => Math.Truncate(a[0]),
        _ => null,
    };
}
