using System;
using System.Collections.Generic;

namespace DslLosses.Generator.Models;

/// <summary>
/// A read-only dictionary compared by its entries (in any order), so a table of facts per IR node can be part of a
/// pipeline model. The keys compare as the key type does: IR nodes structurally, with cached hashes.
/// </summary>
internal sealed class EquatableDictionary<TKey, TValue> : IEquatable<EquatableDictionary<TKey, TValue>>
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _entries;
    private int _hash;

    /// <param name="entries">Taken over, not copied: the caller must not change it afterwards.</param>
    public EquatableDictionary(Dictionary<TKey, TValue> entries) => _entries = entries;

    public int Count => _entries.Count;

    public bool TryGetValue(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    public bool Equals(EquatableDictionary<TKey, TValue>? other)
    {
        if (ReferenceEquals(this, other))
            return true;
        if (other is null || other.Count != Count || other.GetHashCode() != GetHashCode())
            return false;
        foreach (KeyValuePair<TKey, TValue> entry in _entries)
        {
            if (!other._entries.TryGetValue(entry.Key, out TValue? value) || !EqualityComparer<TValue>.Default.Equals(entry.Value, value))
                return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableDictionary<TKey, TValue> other && Equals(other);

    /// <summary>Independent of the order of the entries; computed once.</summary>
    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            int hash = _entries.Count;
            foreach (KeyValuePair<TKey, TValue> entry in _entries)
                hash = unchecked(hash + (entry.Key.GetHashCode() * 31 ^ (entry.Value?.GetHashCode() ?? 0)));
            _hash = hash == 0 ? 1 : hash;
        }
        return _hash;
    }
}

/// <summary>A read-only set compared by its members (in any order), for the same use as <see cref="EquatableDictionary{TKey, TValue}"/>.</summary>
internal sealed class EquatableSet<T> : IEquatable<EquatableSet<T>>
    where T : notnull
{
    private readonly HashSet<T> _members;
    private int _hash;

    /// <param name="members">Taken over, not copied: the caller must not change it afterwards.</param>
    public EquatableSet(HashSet<T> members) => _members = members;

    public int Count => _members.Count;

    public bool Contains(T item) => _members.Contains(item);

    public bool Equals(EquatableSet<T>? other)
        => ReferenceEquals(this, other)
        || (other is not null && other.Count == Count && other.GetHashCode() == GetHashCode() && _members.SetEquals(other._members));

    public override bool Equals(object? obj) => obj is EquatableSet<T> other && Equals(other);

    /// <summary>Independent of the order of the members; computed once.</summary>
    public override int GetHashCode()
    {
        if (_hash == 0)
        {
            int hash = _members.Count;
            foreach (T member in _members)
                hash = unchecked(hash + member.GetHashCode());
            _hash = hash == 0 ? 1 : hash;
        }
        return _hash;
    }
}
