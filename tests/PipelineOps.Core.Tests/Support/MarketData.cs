using System.Globalization;

namespace PipelineOps.Tests.Support;

/// <summary>Coinbase-style records, as the collectors in the field notes receive them.</summary>
public static class MarketData
{
    public static string Level2(DateTime time, string product = "BTC-USD", string side = "buy", string price = "91234.50", string size = "0.25") =>
        $$"""{"type":"l2update","product_id":"{{product}}","changes":[["{{side}}","{{price}}","{{size}}"]],"time":"{{Iso(time)}}"}""";

    public static string Ticker(DateTime time, string product = "ETH-USD", string price = "3120.15", long sequence = 1) =>
        $$"""{"type":"ticker","sequence":{{sequence}},"product_id":"{{product}}","price":"{{price}}","best_bid":"3120.14","best_ask":"3120.16","time":"{{Iso(time)}}"}""";

    public static string Iso(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
