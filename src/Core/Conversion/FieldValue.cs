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
    BigInteger,  // integral but beyond Int64: kept as exact text
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
}
