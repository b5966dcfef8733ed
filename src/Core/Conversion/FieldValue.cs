namespace PipelineOps.Conversion;

/// <summary>The JSON type of one field value in one record.</summary>
public enum ValueKind : byte
{
    Missing,
    Null,
    False,
    True,
    Integer,     // fits in Int64
    Float,       // has a fraction or exponent
    BigInteger,  // integral but beyond Int64, or beyond a double's range (1e400): kept as exact text
    String,
    Nested,      // object or array: kept as exact JSON text
}

/// <summary>A parsed value. Raw* locate its JSON text in the line, valid while the line is.</summary>
public struct FieldValue
{
    public ValueKind Kind;
    public long Integer;
    public double Float;
    public string? Text;
    public int RawStart;
    public int RawLength;

    /// <summary>Set when the value is a time the time field can use (ISO-8601 string or epoch number).</summary>
    public DateTime? Time;

    /// <summary>For arrays: the nesting depth of their scalar leaves (1: [a,b]; 2: [[a],[b]]), 0 when the array holds
    /// no scalar or inner array (empty, or only nulls), <see cref="ArrayShape.Irregular"/> for anything else (objects
    /// inside, deeper nesting, scalars and arrays mixed).</summary>
    public byte ArrayDepth;

    /// <summary>For arrays: the kinds of their scalar leaves.</summary>
    public LeafKinds ArrayLeaves;
}

/// <summary>The kinds of scalar values found in an array.</summary>
[Flags]
public enum LeafKinds : byte
{
    None = 0,
    Boolean = 1,
    Integer = 2,
    Float = 4,
    String = 8,
    Other = 16, // integers beyond Int64
}

public static class ArrayShape
{
    /// <summary>An object whose values are all scalars (or null): a candidate for a STRUCT column.</summary>
    public const byte FlatObject = 254;

    public const byte Irregular = 255;
}
