using System.Globalization;
using System.Text;

namespace NeuralSharp.Bench;

/// <summary>A Markdown table printed with padded columns (readable in a terminal and as Markdown).</summary>
internal sealed class MarkdownTable(params string[] header)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Print(string title, params string[] notes)
    {
        var all = new List<string[]> { header };
        all.AddRange(_rows);
        int cols = header.Length;
        var width = new int[cols];
        foreach (var r in all)
            for (int c = 0; c < cols; c++) width[c] = Math.Max(width[c], c < r.Length ? r[c].Length : 0);
        var sb = new StringBuilder();
        sb.AppendLine().Append("### ").AppendLine(title).AppendLine();
        foreach (var n in notes) sb.AppendLine(n);
        if (notes.Length > 0) sb.AppendLine();
        Line(sb, header, width, numericRight: false);
        sb.Append('|');
        for (int c = 0; c < cols; c++) sb.Append('-', width[c] + 1).Append(c == 0 ? "-|" : ":|");
        sb.AppendLine();
        foreach (var r in _rows) Line(sb, r, width, numericRight: true);
        Console.Write(sb.ToString());
        Console.Out.Flush();
    }

    private static void Line(StringBuilder sb, string[] cells, int[] width, bool numericRight)
    {
        sb.Append('|');
        for (int c = 0; c < width.Length; c++)
        {
            string s = c < cells.Length ? cells[c] : "";
            sb.Append(' ').Append(numericRight && c > 0 ? s.PadLeft(width[c]) : s.PadRight(width[c])).Append(" |");
        }
        sb.AppendLine();
    }

    public static string F(double v, int decimals = 1) =>
        double.IsNaN(v) ? "n/a" : v.ToString("N" + decimals, CultureInfo.InvariantCulture);

    /// <summary>A ratio as "1.23x", or "n/a".</summary>
    public static string X(double v) => double.IsNaN(v) || double.IsInfinity(v) ? "n/a" : v.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    public static string Pct(double v) => double.IsNaN(v) ? "n/a" : (100 * v).ToString("0", CultureInfo.InvariantCulture) + "%";
}
