using System.Text;
using PipelineOps.Collection;
using PipelineOps.Text;

namespace PipelineOps.Tests.Collection;

/// <summary>
/// The collector's one pass over a message gives the shared verdict word for word, and the fields that a separate
/// reading (RecordInspector) finds, on tricky records and on thousands of damaged ones.
/// </summary>
public sealed class RecordCheckTests
{
    private static readonly RecordCheck.Names Names = new("type", "time", "sequence");

    public static TheoryData<string> Tricky() =>
    [
        """{"type":"ticker","time":"2026-11-28T00:00:00Z","sequence":42}""",
        """{"type":"a","type":"b","sequence":1,"sequence":"2"}""",
        """{"t\u0079pe":"esc","time":"12\u003a00","sequence":-1.5e3}""",
        """{"type":{"type":"inner"},"time":["time"],"sequence":null}""",
        """{"type":"x","type":{"nested":1}}""",
        """{"type":"","time":"","sequence":0}""",
        """{"type":"caf\u00e9 \ud83d\ude00","x":[1,{"y":[2,[3]]}],"time":true}""",
        """  { "type" : "spaced" , "sequence" : 7 }  """,
        "{\"type\":\"日本\",\"time\":\"naïve\"}",
        // Strings longer than the scan's 16-byte steps, with what ends them beyond the first step.
        """{"type":"longer than sixteen bytes \u0041 escaped","time":"2026-11-28T00:00:00.123456Z"}""",
        "{\"type\":\"longer than sixteen bytes\twith a raw tab\"}",
        "{\"type\":\"longer than sixteen bytes and then \u0001 a raw control\"}",
        "{\"type\":\"ünïcödé ünïcödé ünïcödé ünïcödé\",\"time\":\"exactly sixteen!\"}",
        """{}""",
        """{"type":"a"} {"type":"b"}""",
        """{"type":"a"}]""",
        """[{"type":"a"}]""",
        "\"just text\" ",
        """{"type":"lone \ud800 surrogate"}""",
        """{"type":"bad escape \x"}""",
        """{"type":"a",}""",
        """{"type":"a" "time":"b"}""",
        """{"type":01}""",
        """{"type":"a"}//comment""",
        "{\"type\":\"tab\tinside\"}",
        """{"sequence":1e400}""",
        """{"sequence":-0,"time":0.5e+10,"type":1E-3,"x":[true,false,null,-12.50e-01]}""",
        """{"sequence":-}""",
        """{"sequence":01}""",
        """{"sequence":1.}""",
        """{"sequence":.5}""",
        """{"sequence":+1}""",
        """{"sequence":1e}""",
        """{"sequence":1e+}""",
        """{"sequence":1.5.2}""",
        """{"x":[1,]}""",
        """{"x":[,1]}""",
        """{"x":{"a":1,}}""",
        """{"x":{"a" 1}}""",
        """{"x":tru}""",
        """{"x":nulll}""",
        """{"x":truefalse}""",
        """{"x":1true}""",
        """{"x":"a"b"}""",
        """{"a":1}}""",
        """{"a":1""",
        """{"a":[1,2""",
        """{"a" : [ 1 , { "b" : [ ] , "c" : { } } ] , "type" : "ok" }""",
        "{\"type\":\"nul\u0000in\"}",
        "{\"type\":\"del\u007fin\"}",
        "{\"type\":\"x\"}\u0000",
        "\uFEFF{\"type\":\"bom\"}",
        "{\"deep\":" + new string('[', 15) + new string(']', 15) + "}",
        "{\"deep\":" + new string('[', 16) + new string(']', 16) + "}",
        "{\"deep\":" + new string('[', 20) + "1" + new string(']', 20) + "}",
        "{\"deep\":" + string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 20) + "}",
        "",
        "   ",
        new string('[', 70),
        "{\"deep\":" + new string('[', 62) + new string(']', 62) + "}",
        "{\"deep\":" + new string('[', 63) + new string(']', 63) + "}",
        "{\"deep\":" + new string('[', 64) + new string(']', 64) + "}",
    ];

    [Theory]
    [MemberData(nameof(Tricky))]
    public void Gives_the_shared_verdict_and_the_fields_of_a_separate_reading(string text) => AssertSame(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Invalid_utf8_is_rejected_as_the_shared_rules_say() =>
        AssertSame([.. "{\"type\":\""u8, 0xC3, 0x28, .. "\"}"u8]);

    [Fact]
    public void Damaged_records_get_the_same_verdict_at_every_byte()
    {
        var records = new[]
        {
            """{"type":"l2update","product_id":"BTC-USD","changes":[["buy","42000.10","0.5"]],"time":"2026-11-28T00:00:00.123456Z","sequence":123}""",
            """{"type":"t\u00e9","nested":{"a":[1,2.5e-3,true,null,"s"]},"sequence":"9"}""",
        };
        var damage = "\"{}[],:\\x 0-.etn\t"u8.ToArray().Append((byte)0x01).Append((byte)0xFF).ToArray();
        var checkedCount = 0;
        foreach (var record in records.Select(Encoding.UTF8.GetBytes))
        {
            for (var at = 0; at < record.Length; at++)
            {
                AssertSame(record[..at]); // cut short
                foreach (var b in damage)
                {
                    var copy = (byte[])record.Clone();
                    copy[at] = b;
                    AssertSame(copy);
                    checkedCount++;
                }
            }
        }

        Assert.True(checkedCount > 1000);
    }

    private static void AssertSame(byte[] message)
    {
        var expected = JsonLineRules.Verdict(message);
        var problem = RecordCheck.Run(message, Names, out var fields);
        Assert.Equal(expected, problem);
        if (problem is null)
        {
            var separate = RecordInspector.Inspect(message, "type", "time", "sequence");
            Assert.Equal(separate.Stream, fields.Stream.Text);
            Assert.Equal(separate.Time, fields.Time.Text);
            Assert.Equal(separate.Sequence, fields.Sequence.Text);
            Assert.Equal(separate.Stream is null ? [] : Encoding.UTF8.GetBytes(separate.Stream), fields.Stream.Utf8.ToArray());
        }
    }
}
