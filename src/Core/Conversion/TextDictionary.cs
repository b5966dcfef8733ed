using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PipelineOps.Conversion;

/// <summary>
/// The distinct values of a low-cardinality text column (type, product_id, side) as a Parquet dictionary: the
/// entries, written as a dictionary page, and each row group's values mapped to their entry's index. A row group whose values are few and repeated is written as the dictionary plus small indexes;
/// one with too many distinct values is written plain. Entries persist from row group to row group, so a column's
/// few values are hashed into the dictionary once per file and every chunk's dictionary page holds them all.
/// </summary>
internal sealed class TextDictionary
{
    /// <summary>The most distinct values a dictionary holds; a column with more is high-cardinality.</summary>
    public const int MaxEntries = 4096;

    /// <summary>A row group is dictionary-encoded when at most one value in this many is new to it.</summary>
    private const int RepeatsPerValue = 8;

    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();

    // Open addressing, at least twice as many slots as entries, grown with them: each holds an entry's index plus one.
    private int[] _slots = new int[64];
    private readonly Utf8Column _entries = new();
    private int[] _indexes = new int[1024];
    private bool[] _used = new bool[32]; // which entries the last mapped row group holds
    private int _misses;

    public int Count => _entries.Count;

    /// <summary>Every entry, in index order: a dictionary page's values.</summary>
    public Utf8Column Entries => _entries;

    /// <summary>
    /// Maps a row group's non-null values to entry indexes, adding the new ones, or returns false (and keeps the
    /// dictionary as it was) when the row group has too many distinct values for a dictionary to pay. After three such
    /// row groups the column is taken as high-cardinality and not tried again.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryMap(Utf8Column values, out ReadOnlyMemory<int> indexes)
    {
        indexes = default;
        if (_misses >= 3 || values.Count < 2 * RepeatsPerValue)
        {
            return false;
        }

        if (_indexes.Length < values.Count)
        {
            _indexes = new int[Math.Max(values.Count, _indexes.Length * 2)];
        }

        var before = Count;
        Array.Clear(_used, 0, Count);
        var limit = Math.Max(16, values.Count / RepeatsPerValue);
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            var index = IndexOf(value, out var slot);
            if (index < 0)
            {
                if (Count - before >= limit || Count >= MaxEntries)
                {
                    Undo(before);
                    _misses++;
                    return false;
                }

                index = Add(value, slot);
            }

            _indexes[i] = index;
            _used[index] = true;
        }

        indexes = new ReadOnlyMemory<int>(_indexes, 0, values.Count);
        return true;
    }

    /// <summary>The smallest and largest of the values the last mapped row group holds: found among its few distinct
    /// values rather than all of them. Slices valid while the caller holds them.</summary>
    public Utf8Range UsedRange()
    {
        var range = default(Utf8Range);
        for (var i = 0; i < Count; i++)
        {
            if (_used[i])
            {
                range.Observe(_entries.Memory(i));
            }
        }

        return range;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int IndexOf(ReadOnlySpan<byte> value, out int slot)
    {
        var mask = _slots.Length - 1;
        slot = (int)(Hash(value) & (ulong)mask);
        while (_slots[slot] != 0)
        {
            var index = _slots[slot] - 1;
            if (_entries[index].SequenceEqual(value))
            {
                return index;
            }

            slot = (slot + 1) & mask;
        }

        return -1;
    }

    private int Add(ReadOnlySpan<byte> value, int slot)
    {
        if (Count == _used.Length)
        {
            Array.Resize(ref _used, _used.Length * 2);
        }

        _used[Count] = false;
        _entries.Add(value);
        _slots[slot] = Count;
        if (2 * Count > _slots.Length)
        {
            _slots = new int[_slots.Length * 2];
            Rehash();
        }

        return Count - 1;
    }

    /// <summary>Forgets the entries added since <paramref name="count"/>: the slots are rebuilt from those kept.</summary>
    private void Undo(int count)
    {
        _entries.Truncate(count);
        Array.Clear(_slots);
        Rehash();
    }

    private void Rehash()
    {
        for (var i = 0; i < Count; i++)
        {
            IndexOf(_entries[i], out var slot);
            _slots[slot] = i + 1;
        }
    }

    /// <summary>A seeded multiply-rotate hash of short byte strings, eight bytes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong Hash(ReadOnlySpan<byte> value)
    {
        const ulong k1 = 0x9E3779B97F4A7C15, k2 = 0xC2B2AE3D27D4EB4F;
        var hash = Seed ^ ((ulong)value.Length * k1);
        while (value.Length >= 8)
        {
            hash = BitOperations.RotateLeft(hash ^ (BinaryPrimitives.ReadUInt64LittleEndian(value) * k2), 29) * k1;
            value = value[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < value.Length; i++)
        {
            tail |= (ulong)value[i] << (8 * i);
        }

        hash = BitOperations.RotateLeft(hash ^ (tail * k2), 29) * k1;
        return hash ^ (hash >> 32);
    }
}
