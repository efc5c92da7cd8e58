using System.Collections.Generic;
using System.Linq;
using DslLosses.Generator.Models;

namespace DslLosses.Generator.Checking;

/// <summary>How a tensor parameter lines up with the loss axis.</summary>
internal enum TensorRole
{
    /// <summary>Not a tensor (scalar or int parameter).</summary>
    None,
    /// <summary>The full shape: it has the loss axis.</summary>
    Full,
    /// <summary>The full shape without the loss axis (one value per row, e.g. sparse labels).</summary>
    Row,
}

/// <summary>
/// The geometry every kernel works in: tensors viewed as (outer, loss axis, inner). Derived from the declared shapes
/// alone, so the checker and the lowering agree without passing state.
/// </summary>
internal sealed record Geometry(bool Variadic, int FullRank, bool HasLossAxis, EquatableArray<TensorRole> Roles)
{
    /// <summary>
    /// Fixed ranks: the largest declared rank is the full rank, one less is row level. Variadic (<c>"..."</c>) shapes:
    /// a dimension after the ellipsis marks a full tensor (it is the loss axis), a bare <c>"..."</c> is row level, and
    /// when no parameter declares the loss axis every tensor is full and the formula is elementwise.
    /// </summary>
    public static Geometry Of(IReadOnlyList<ParamModel> parameters)
    {
        var tensors = parameters.Where(p => p.IsTensor).ToList();
        bool variadic = tensors.Count > 0 && tensors.All(p => p.IsVariadic);
        if (variadic)
        {
            bool hasAxis = tensors.Any(p => p.FixedRank >= 1);
            var roles = parameters.Select(p => !p.IsTensor ? TensorRole.None : !hasAxis || p.FixedRank >= 1 ? TensorRole.Full : TensorRole.Row);
            return new Geometry(true, hasAxis ? 1 : 0, hasAxis, roles.ToEquatableArray());
        }

        int full = tensors.Count == 0 ? 0 : tensors.Max(p => p.FixedRank);
        var fixedRoles = parameters.Select(p =>
            !p.IsTensor ? TensorRole.None :
            p.FixedRank == full ? TensorRole.Full :
            p.FixedRank == full - 1 && full >= 1 ? TensorRole.Row :
            TensorRole.None);
        return new Geometry(false, full, full >= 1, fixedRoles.ToEquatableArray());
    }

    public TensorRole RoleOf(int parameter) => Roles[parameter];
}
