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
    /// <summary>The loss axis alone (one value per class, e.g. a per-class weight): the same vector for every row.</summary>
    Class,
}

/// <summary>
/// The geometry every kernel works in: tensors viewed as (outer, loss axis, inner). Derived from the declared shapes
/// alone, so the checker and the lowering agree without passing state.
/// </summary>
internal sealed record Geometry(bool Variadic, int FullRank, bool HasLossAxis, EquatableArray<TensorRole> Roles)
{
    /// <summary>
    /// Fixed ranks: the largest declared rank is the full rank, one less is row level, and a one-dimensional float
    /// tensor declaring exactly the loss axis of the full tensors (<paramref name="declaredAxis"/>) is per class (when its
    /// dimension would also fit the row level, as <c>[N]</c> beside <c>[N, N]</c>, it is row level). Variadic
    /// (<c>"..."</c>) shapes: a dimension after the ellipsis marks a full tensor (it is the loss axis), a bare
    /// <c>"..."</c> is row level, a tensor declaring that loss axis alone (no ellipsis) is per class, and when no
    /// parameter declares the loss axis every tensor is full and the formula is elementwise.
    /// </summary>
    /// <remarks>
    /// With several loss axes (<paramref name="axisCount"/> trailing axes from <paramref name="declaredAxis"/>, fixed
    /// ranks only) a row-level tensor drops all of them, and no tensor is per class.
    /// </remarks>
    public static Geometry Of(IReadOnlyList<ParamModel> parameters, int declaredAxis, int axisCount = 1)
    {
        var tensors = parameters.Where(p => p.IsTensor).ToList();
        ParamModel? axisAnchor = tensors.FirstOrDefault(p => p.IsVariadic && p.FixedRank >= 1);
        bool variadic = tensors.Count > 0 && tensors.Any(p => p.IsVariadic)
            && tensors.All(p => p.IsVariadic || (axisAnchor is not null && IsClassVector(p, axisAnchor.Shape[axisAnchor.Shape.Count - 1])));
        if (variadic)
        {
            bool hasAxis = axisAnchor is not null;
            var roles = parameters.Select(p => !p.IsTensor ? TensorRole.None : !p.IsVariadic ? TensorRole.Class : !hasAxis || p.FixedRank >= 1 ? TensorRole.Full : TensorRole.Row);
            return new Geometry(true, hasAxis ? 1 : 0, hasAxis, roles.ToEquatableArray());
        }

        int full = tensors.Count == 0 ? 0 : tensors.Max(p => p.FixedRank);
        ParamModel? anchor = tensors.FirstOrDefault(p => p.FixedRank == full && !p.IsVariadic);
        int axis = declaredAxis < 0 ? declaredAxis + full : declaredAxis;
        Dim? lossDim = anchor is not null && full >= 2 && axis >= 0 && axis < full ? anchor.Shape[axis] : null;
        // the one dimension a row-level vector would declare (only a rank-2 formula has one-dimensional rows)
        Dim? rowDim = lossDim is not null && full == 2 ? anchor!.Shape[1 - axis] : null;
        var fixedRoles = parameters.Select(p =>
            !p.IsTensor ? TensorRole.None :
            p.FixedRank == full ? TensorRole.Full :
            axisCount == 1 && lossDim is not null && IsClassVector(p, lossDim) && !p.Shape[0].Equals(rowDim) ? TensorRole.Class :
            p.FixedRank == full - axisCount && full >= 1 ? TensorRole.Row :
            TensorRole.None);
        return new Geometry(false, full, full >= 1, fixedRoles.ToEquatableArray());
    }

    private static bool IsClassVector(ParamModel p, Dim lossDim)
        => p.Kind == Ir.ParamKind.Tensor && !p.IsVariadic && p.Shape.Count == 1 && p.Shape[0].Equals(lossDim);

    public TensorRole RoleOf(int parameter) => Roles[parameter];
}
