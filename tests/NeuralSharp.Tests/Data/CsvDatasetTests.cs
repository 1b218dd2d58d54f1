using System.Text;
using NeuralSharp.Data;

namespace NeuralSharp.Tests.Data;

public class CsvDatasetTests
{
    private static InMemoryDataset Parse(string text, string? labelColumn = null, int? labelIndex = null, bool? hasHeader = null,
        char? separator = null, int? classCount = null, IReadOnlyList<string>? classNames = null) =>
        CsvDataset.Parse(new StringReader(text), "test.csv", labelColumn, labelIndex, hasHeader, separator, classCount, classNames);

    private static DataFormatException Fails(string text, int? classCount = null, IReadOnlyList<string>? classNames = null) =>
        Assert.Throws<DataFormatException>(() => Parse(text, classCount: classCount, classNames: classNames));

    [Fact]
    public void NoHeaderLastColumnLabel()
    {
        var d = Parse("1,2,0\n3.5,-4e2,2\n");
        Assert.Equal(2, d.Count);
        Assert.Equal(new[] { 2 }, d.FeatureShape);
        Assert.Equal(new float[] { 1, 2, 3.5f, -400 }, d.Features.ToArray());
        Assert.Equal(new[] { 0, 2 }, d.Labels.ToArray());
        Assert.Equal(3, d.ClassCount);
        Assert.Null(d.ClassNames);
    }

    [Fact]
    public void HeaderIsDetectedAndLabelChosenByName()
    {
        var d = Parse("a,label,b\n1,1,2\n3,0,4\n", labelColumn: "label");
        Assert.Equal(new float[] { 1, 2, 3, 4 }, d.Features.ToArray());
        Assert.Equal(new[] { 1, 0 }, d.Labels.ToArray());

        var auto = Parse("a,b,label\n1,2,1\n3,4,0\n");
        Assert.Equal(2, auto.Count);
        Assert.Equal(new[] { 1, 0 }, auto.Labels.ToArray());
    }

    [Fact]
    public void LabelByIndex()
    {
        var d = Parse("5,1,2\n7,3,4\n", labelIndex: 0);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, d.Features.ToArray());
        Assert.Equal(new[] { 5, 7 }, d.Labels.ToArray());
        Assert.Equal(8, d.ClassCount);
    }

    [Fact]
    public void NumericHeaderNamesAreDetectedByTheLabelColumn()
    {
        // Feature names that look like numbers: only the label field of the first row is text.
        var d = Parse("0,1,class\n1,2,1\n3,4,0\n");
        Assert.Equal(2, d.Count);
        Assert.Equal(2, d.ClassCount);
    }

    [Fact]
    public void StringLabelsAreSortedOrdinally()
    {
        var d = Parse("x,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n");
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, d.ClassNames);
        Assert.Equal(new[] { 2, 0, 1, 0 }, d.Labels.ToArray());
        Assert.Equal(3, d.ClassCount);
    }

    [Fact]
    public void GivenClassNamesFixTheMapping()
    {
        string[] names = ["cat", "dog", "eel"];
        var d = Parse("1,eel\n2,cat\n", classNames: names);
        Assert.Equal(new[] { 2, 0 }, d.Labels.ToArray());
        Assert.Equal(3, d.ClassCount);
        var e = Fails("1,eel\n2,cow\n", classNames: names);
        Assert.Equal(2, e.Line);
        Assert.Equal(2, e.Column);
        Assert.Contains("'cow'", e.Message);
    }

    [Fact]
    public void QuotedFieldsSemicolonsTabsAndCrLf()
    {
        var d = Parse("\"f,1\";\"f;2\";\"lab\"\"el\"\r\n\"1.5\";2;\"a \"\"b\"\";c\"\r\n\r\n3;4;plain\r\n");
        Assert.Equal(2, d.Count);
        Assert.Equal(new float[] { 1.5f, 2, 3, 4 }, d.Features.ToArray());
        Assert.Equal(new[] { "a \"b\";c", "plain" }, d.ClassNames);

        var tabs = Parse("a\tb\tc\n1\t2\t0\n");
        Assert.Equal(new float[] { 1, 2 }, tabs.Features.ToArray());

        var multiLine = Parse("a,note\n1,\"two\nlines\"\n2,x\n");
        Assert.Equal(new[] { "two\nlines", "x" }, multiLine.ClassNames);
    }

    [Fact]
    public void BlankLinesAndSpacesAreSkipped()
    {
        var d = Parse("\n\n 1 , 2 ,0\n   \n3,4, 1 \n\n");
        Assert.Equal(new[] { 0, 1 }, d.Labels.ToArray());
        Assert.Equal(new float[] { 1, 2, 3, 4 }, d.Features.ToArray());
    }

    [Fact]
    public void WrongFieldCountNamesLineAndColumn()
    {
        var e = Fails("1,2,0\n\n3,4\n");
        Assert.Equal("test.csv", e.FilePath);
        Assert.Equal(3, e.Line);
        Assert.Equal(3, e.Column);
        Assert.Contains("expected 3 fields", e.Message);
        Assert.StartsWith("test.csv, line 3, column 3:", e.Message);
    }

    [Fact]
    public void NonNumericFeatureNamesLineColumnAndHeader()
    {
        var e = Fails("a,b,y\n1,2,0\n1,abc,1\n");
        Assert.Equal(3, e.Line);
        Assert.Equal(2, e.Column);
        Assert.Contains("'abc' in feature column 'b' is not a number", e.Message);

        var empty = Fails("1,2,0\n,2,1\n");
        Assert.Equal(2, empty.Line);
        Assert.Equal(1, empty.Column);
        Assert.Contains("an empty field", empty.Message);

        var nan = Fails("1,2,0\nNaN,2,1\n");
        Assert.Contains("not a finite float", nan.Message);
    }

    [Fact]
    public void EmptyFileAndHeaderOnly()
    {
        Assert.Contains("empty file", Fails("").Message);
        Assert.Contains("empty file", Fails("\n \r\n").Message);
        var e = Fails("a,b,label\n");
        Assert.Contains("no data rows", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesRowAndLine()
    {
        var text = new StringBuilder("f,label\n");
        for (int i = 0; i < 60; i++) text.Append(i).Append(',').Append(i == 57 ? 12 : i % 10).Append('\n');
        var e = Fails(text.ToString(), classCount: 10);
        Assert.Contains("label 12 in row 57 is outside [0, 10)", e.Message);
        Assert.Equal(59, e.Line);
        Assert.Equal(2, e.Column);
    }

    [Fact]
    public void QuoteErrors()
    {
        var open = Fails("1,0\n\"2,1\n3,0\n");
        Assert.Contains("unterminated", open.Message);
        Assert.Equal(2, open.Line);
        var after = Fails("1,0\n\"2\"x,1\n");
        Assert.Equal(2, after.Line);
        Assert.Equal(1, after.Column);
    }

    [Fact]
    public void OptionErrors()
    {
        Assert.Throws<ArgumentException>(() => Parse("a,b\n1,0\n", labelColumn: "nope"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Parse("1,0\n", labelIndex: 2));
        Assert.Throws<ArgumentException>(() => Parse("a,b\n1,0\n", labelColumn: "a", hasHeader: false));
    }

    [Fact]
    public void LoadsPlainAndGzippedFiles()
    {
        using var folder = new TempFolder();
        byte[] text = Encoding.UTF8.GetBytes("\uFEFFx,y,label\n1,2,b\n3,4,a\n");
        File.WriteAllBytes(folder.File("plain.csv"), text);
        File.WriteAllBytes(folder.File("packed.csv"), IdxTestFiles.Gzip(text)); // gzip detected from content
        foreach (var name in new[] { "plain.csv", "packed.csv" })
        {
            var d = CsvDataset.Load(folder.File(name));
            Assert.Equal(new float[] { 1, 2, 3, 4 }, d.Features.ToArray());
            Assert.Equal(new[] { "a", "b" }, d.ClassNames);
            Assert.Equal(new[] { 1, 0 }, d.Labels.ToArray());
        }
        var e = Assert.Throws<DataFormatException>(() => CsvDataset.Load(folder.File("plain.csv"), hasHeader: false));
        Assert.Equal(folder.File("plain.csv"), e.FilePath);
        Assert.Equal(1, e.Line);
    }
}
