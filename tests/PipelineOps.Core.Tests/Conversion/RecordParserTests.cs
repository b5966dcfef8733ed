using System.Text;
using PipelineOps.Conversion;
using Xunit;

namespace PipelineOps.Tests.Conversion;

/// <summary>The flat scan must take exactly what the general reader takes, with the same values: every line is parsed
/// both ways and compared.</summary>
public sealed class RecordParserTests
{
    public static TheoryData<string, bool> Lines => new()
    {
        // line, whether the flat scan should parse it itself
        { """{"type":"ticker","sequence":12,"price":"3104.55","time":"2025-11-14T00:00:00.001336Z","trade_id":0}""", true },
        { """{"type":"l2update","product_id":"ETH-USD","changes":[["sell","91025.85","0.17"]],"time":"2025-11-14T00:00:00Z"}""", true },
        { """ { "a" : 1 , "b" : [ 1 , 2 ] , "c" : { "d" : null } } """, true },
        { "{\"a\":1,\r\n\t\"b\":2}", true },
        { """{}""", true },
        { """{"n":-0,"m":0.5,"e":1E+3,"f":-1.25e-7,"big":123456789012345678901234,"max":9223372036854775807,"min":-9223372036854775808}""", true },
        { """{"t":true,"f":false,"z":null,"s":"","u":"ünï €"}""", true },
        { """{"time":1763078400123,"x":1}""", true },
        { """{"time":"2025-11-14T01:00:00+01:00"}""", true },
        { """{"time":"not a time"}""", true },
        { """{"a":1,"a":"twice"}""", true },
        { """{"a":[[1,"x"],[true,null]],"b":[],"c":[[]],"d":[1,[2]],"e":[[[1]]],"g":[1.5,-2e3,123456789012345678901234,null]}""", true },
        { """{"f":[{"x":1}],"h":[ [ "y" ] , [ ] ],"i":[null,[null]]}""", true },
        { """{"a":[1,"q\"uote"],"b":[1,]}""", false },
        { """{"a\"b":1}""", false },
        { """{"a\u0022b":2,"x":1}""", false },
        { """{"esc":"a\"b"}""", false },
        { """{"es\u0063":1}""", false },
        { """{"a":1e400}""", false },
        { """{"a":01}""", false },
        { """{"a":1.}""", false },
        { """{"a":.5}""", false },
        { """{"a":-}""", false },
        { """{"a":+1}""", false },
        { """{"a":1x}""", false },
        { """{"a":tru}""", false },
        { """{"a":nul,"b":1}""", false },
        { """{"a":1,}""", false },
        { """{"a" 1}""", false },
        { """{"a":1}}""", false },
        { """{"a":1} x""", false },
        { """{"a":[1,2}""", false },
        { """{"a":[1,2],}""", false },
        { """{"a":"tab	inside"}""", false },
        { """{'a':1}""", false },
        { """{"a":NaN}""", false },
        { """[1,2]""", false },
        { """ """, false },
        { """{"a":1""", false },
        { """{"a":"x""", false },
        { "{\"deep\":" + new string('[', 63) + new string(']', 63) + "}", true },
        { "{\"deep\":" + new string('[', 64) + new string(']', 64) + "}", false },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void The_flat_scan_agrees_with_the_general_reader(string line, bool scanned)
    {
        var (flat, general) = Parsers();

        var bytes = Encoding.UTF8.GetBytes(line);
        AssertSame(general, general.TryParse(bytes), flat, flat.TryParse(bytes), line);
        Assert.Equal(scanned, flat.LastScanned);
    }

    [Fact]
    public void A_field_name_seen_before_is_only_taken_as_predicted_where_its_raw_bytes_are_valid_JSON()
    {
        var (flat, general) = Parsers();
        foreach (var line in new[] { """{"a\"b":1,"c":2}""", """{"a"b":1,"c":2}""", """{"a\"b":3,"c":4}""", """{"a\"b":5,"c":6}""" })
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            AssertSame(general, general.TryParse(bytes), flat, flat.TryParse(bytes), line);
        }

        Assert.Equal(5L, flat.Values[flat.IndexOf("a\"b")].Integer);
    }

    [Fact]
    public void The_flat_scan_agrees_with_the_general_reader_on_thousands_of_damaged_records()
    {
        var seeds = Lines.Select(row => (string)row[0]).Select(Encoding.UTF8.GetBytes).ToArray();
        byte[] alphabet = [.. "{}[]\",:\\ 0123456789-+.eEtrufalsn\t\"xü"u8];
        var random = new Random(20251114);
        var (flat, general) = Parsers();
        var scanned = 0;
        for (var n = 0; n < 20_000; n++)
        {
            var line = seeds[random.Next(seeds.Length)].ToList();
            for (var edits = random.Next(1, 4); edits > 0 && line.Count > 0; edits--)
            {
                var at = random.Next(line.Count);
                switch (random.Next(3))
                {
                    case 0: line[at] = alphabet[random.Next(alphabet.Length)]; break;
                    case 1: line.RemoveAt(at); break;
                    default: line.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                }
            }

            var bytes = line.ToArray();
            AssertSame(general, general.TryParse(bytes), flat, flat.TryParse(bytes), Encoding.UTF8.GetString(bytes));
            scanned += flat.LastScanned ? 1 : 0;
        }

        Assert.InRange(scanned, 1_000, 19_000); // both ways were exercised
    }

    private static (RecordParser Flat, RecordParser General) Parsers()
    {
        RecordParser Make(bool flat) => new(null, "time", new HashSet<string> { "type" }) { MaterializeStrings = false, FlatScan = flat };
        return (Make(true), Make(false));
    }

    private static void AssertSame(RecordParser general, bool generalOk, RecordParser flat, bool flatOk, string line)
    {
        Assert.True(generalOk == flatOk, $"general {generalOk}, flat {flatOk}: {line}");
        Assert.Equal(general.Error, flat.Error);
        if (!generalOk)
        {
            return;
        }

        Assert.True(general.Names.SequenceEqual(flat.Names), $"names {string.Join(",", general.Names)} / {string.Join(",", flat.Names)}: {line}");
        Assert.Equal(general.UnknownFields, flat.UnknownFields);
        Assert.Equal(general.Present.ToArray(), flat.Present.ToArray());
        for (var i = 0; i < general.Names.Count; i++)
        {
            Assert.Equal(Describe(general.Values[i]), Describe(flat.Values[i]));
        }
    }

    private static string Describe(in FieldValue v) =>
        $"{v.Kind} {v.Integer} {BitConverter.DoubleToInt64Bits(v.Float)} {v.Text} {v.RawStart}+{v.RawLength} {v.Time:O} {v.ArrayDepth} {v.ArrayLeaves}";
}
