using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PipelineOps.Collection;

/// <summary>
/// The scan's view of 64 bytes: a bit per byte that is some value or in some range, in one 64-byte vector, two
/// 32-byte ones or four 16-byte ones (AVX-512, AVX2, SSE or ARM). One generic pass serves all three widths, so each
/// is compiled apart and the test suite runs again with the wider ones switched off.
/// </summary>
public static partial class RecordCheck
{
    private interface IBlockBits
    {
        /// <summary>A bit for each byte equal to <paramref name="value"/>.</summary>
        static abstract ulong Equal(ref byte block, byte value);

        /// <summary>A bit for each byte from <paramref name="low"/> up to <paramref name="low"/> + <paramref name="count"/> - 1.</summary>
        static abstract ulong InRange(ref byte block, byte low, byte count);

        /// <summary>A bit for each byte above 0x7F.</summary>
        static abstract ulong High(ref byte block);
    }

    private readonly struct Bits512 : IBlockBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Equal(ref byte block, byte value) =>
            Vector512.Equals(Vector512.LoadUnsafe(ref block), Vector512.Create(value)).ExtractMostSignificantBits();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong InRange(ref byte block, byte low, byte count) =>
            Vector512.LessThan(Vector512.LoadUnsafe(ref block) - Vector512.Create(low), Vector512.Create(count)).ExtractMostSignificantBits();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong High(ref byte block) => Vector512.LoadUnsafe(ref block).ExtractMostSignificantBits();
    }

    private readonly struct Bits256 : IBlockBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Equal(ref byte block, byte value) =>
            Join(Vector256.Equals(Vector256.LoadUnsafe(ref block), Vector256.Create(value)),
                Vector256.Equals(Vector256.LoadUnsafe(ref block, 32), Vector256.Create(value)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong InRange(ref byte block, byte low, byte count) =>
            Join(Vector256.LessThan(Vector256.LoadUnsafe(ref block) - Vector256.Create(low), Vector256.Create(count)),
                Vector256.LessThan(Vector256.LoadUnsafe(ref block, 32) - Vector256.Create(low), Vector256.Create(count)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong High(ref byte block) => Join(Vector256.LoadUnsafe(ref block), Vector256.LoadUnsafe(ref block, 32));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Join(Vector256<byte> low, Vector256<byte> high) =>
            low.ExtractMostSignificantBits() | ((ulong)high.ExtractMostSignificantBits() << 32);
    }

    private readonly struct Bits128 : IBlockBits
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Equal(ref byte block, byte value) =>
            Join(Vector128.Equals(Vector128.LoadUnsafe(ref block), Vector128.Create(value)),
                Vector128.Equals(Vector128.LoadUnsafe(ref block, 16), Vector128.Create(value)),
                Vector128.Equals(Vector128.LoadUnsafe(ref block, 32), Vector128.Create(value)),
                Vector128.Equals(Vector128.LoadUnsafe(ref block, 48), Vector128.Create(value)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong InRange(ref byte block, byte low, byte count) =>
            Join(Vector128.LessThan(Vector128.LoadUnsafe(ref block) - Vector128.Create(low), Vector128.Create(count)),
                Vector128.LessThan(Vector128.LoadUnsafe(ref block, 16) - Vector128.Create(low), Vector128.Create(count)),
                Vector128.LessThan(Vector128.LoadUnsafe(ref block, 32) - Vector128.Create(low), Vector128.Create(count)),
                Vector128.LessThan(Vector128.LoadUnsafe(ref block, 48) - Vector128.Create(low), Vector128.Create(count)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong High(ref byte block) =>
            Join(Vector128.LoadUnsafe(ref block), Vector128.LoadUnsafe(ref block, 16), Vector128.LoadUnsafe(ref block, 32), Vector128.LoadUnsafe(ref block, 48));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Join(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c, Vector128<byte> d) =>
            a.ExtractMostSignificantBits() | ((ulong)b.ExtractMostSignificantBits() << 16)
            | ((ulong)c.ExtractMostSignificantBits() << 32) | ((ulong)d.ExtractMostSignificantBits() << 48);
    }
}
