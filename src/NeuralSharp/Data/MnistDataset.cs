namespace NeuralSharp.Data;

/// <summary>
/// Loads MNIST-format datasets (MNIST, Fashion-MNIST, KMNIST, ...) from a folder of IDX files.
/// </summary>
public static class MnistDataset
{
    /// <summary>The Fashion-MNIST class names, indexed by label.</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// Loads the training (<paramref name="train"/> true: train-images-idx3-ubyte, train-labels-idx1-ubyte)
    /// or test (t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) split from <paramref name="folder"/>; each file
    /// may also be named with ".gz" (gzip is detected by content) or with a dot before "idx" (e.g.
    /// train-images.idx3-ubyte). Pixels are scaled to [0, 1] (value / 255); FeatureShape is [rows * cols]
    /// ([784] for 28x28 images); ClassCount is 10.
    /// </summary>
    /// <param name="folder">The folder holding the IDX files.</param>
    /// <param name="train">True for the training split, false for the test split.</param>
    /// <param name="classNames">Optional names of the 10 classes (e.g. <see cref="FashionMnistClassNames"/>).</param>
    /// <exception cref="DirectoryNotFoundException">When the folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">When a file is missing (the message lists the names tried).</exception>
    /// <exception cref="DataFormatException">When a file is malformed, the images are not 3-D unsigned bytes or the labels
    /// 1-D unsigned bytes, the counts differ (naming both files), or a label is not in [0, 10) (naming the label file,
    /// byte offset and row).</exception>
    public static InMemoryDataset Load(string folder, bool train, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"MnistDataset.Load: folder '{folder}' does not exist.");
        string prefix = train ? "train" : "t10k";
        string imagesPath = Find(folder, prefix, "images", 3);
        string labelsPath = Find(folder, prefix, "labels", 1);

        var images = IdxReader.Read(imagesPath);
        if (images.DataType != IdxDataType.UnsignedByte || images.Rank != 3)
            throw new DataFormatException($"expected unsigned-byte images of 3 dimensions [count, rows, cols], found {images.DataType} with dimensions [{string.Join(", ", images.Dimensions)}]", imagesPath, 0L);
        var labelArray = IdxReader.Read(labelsPath);
        if (labelArray.DataType != IdxDataType.UnsignedByte || labelArray.Rank != 1)
            throw new DataFormatException($"expected unsigned-byte labels of 1 dimension [count], found {labelArray.DataType} with dimensions [{string.Join(", ", labelArray.Dimensions)}]", labelsPath, 0L);
        int count = images.Dim(0);
        if (labelArray.Dim(0) != count)
            throw new DataFormatException($"the images file '{imagesPath}' holds {count} images but the labels file holds {labelArray.Dim(0)} labels", labelsPath, 4L);

        const int classCount = 10;
        var rawLabels = labelArray.Bytes!;
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = rawLabels[i];
            if (rawLabels[i] >= classCount)
                throw new DataFormatException(DatasetChecks.LabelOutOfRange(rawLabels[i], i, classCount), labelsPath, 8L + i);
        }

        var pixels = images.Bytes!;
        var features = new float[pixels.Length];
        ScalePixels(pixels, features);
        return new InMemoryDataset(features, labels, [images.Dim(1) * images.Dim(2)], classCount, classNames);
    }

    /// <summary>
    /// Reads an IDX file of unsigned-byte images [count, rows, cols] (gzipped or raw) without labels, scaled
    /// as <see cref="Load"/> scales them, e.g. to run a trained model on new images.
    /// </summary>
    /// <returns>The pixels as row-major [count, rows·cols] floats in [0, 1], and the image count.</returns>
    /// <exception cref="DataFormatException">When the file is malformed or does not hold 3-D unsigned-byte images.</exception>
    public static (float[] Features, int Count) LoadImages(string path)
    {
        var images = IdxReader.Read(path);
        if (images.DataType != IdxDataType.UnsignedByte || images.Rank != 3)
            throw new DataFormatException($"expected unsigned-byte images of 3 dimensions [count, rows, cols], found {images.DataType} with dimensions [{string.Join(", ", images.Dimensions)}]", path, 0L);
        var features = new float[images.Bytes!.Length];
        ScalePixels(images.Bytes, features);
        return (features, images.Dim(0));
    }

    /// <summary>features[i] = pixels[i] / 255 (a true division, as torchvision's ToTensor), through a 256-entry
    /// table. Pointers keep it fast in unoptimised (Debug) builds too.</summary>
    private static unsafe void ScalePixels(byte[] pixels, float[] features)
    {
        float* table = stackalloc float[256];
        for (int v = 0; v < 256; v++) table[v] = v / 255f;
        fixed (byte* src = pixels)
        fixed (float* dst = features)
        {
            for (nint i = 0, n = pixels.Length; i < n; i++) dst[i] = table[src[i]];
        }
    }

    private static string Find(string folder, string prefix, string kind, int rank)
    {
        string[] names =
        [
            $"{prefix}-{kind}-idx{rank}-ubyte", $"{prefix}-{kind}-idx{rank}-ubyte.gz",
            $"{prefix}-{kind}.idx{rank}-ubyte", $"{prefix}-{kind}.idx{rank}-ubyte.gz",
        ];
        foreach (string name in names)
        {
            string path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"MnistDataset.Load: no {kind} file in '{folder}' (tried {string.Join(", ", names)}).", Path.Combine(folder, names[1]));
    }
}
