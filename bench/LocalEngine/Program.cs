using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InsightFaceEval.Faces;
using InsightFaceEval.Onnx;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

// Usage: LocalEngine.Bench <model folder> <photo folder> [crop count]
// Compares the local engine (decode, detect on the crop, landmarks, align, recognise) with a bare ONNX
// Runtime session loop over the very same preprocessed recogniser inputs, on one and on two workers.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var modelDir = args[0];
var photoDir = args[1];
var count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
var detectorPath = Path.Combine(modelDir, "fr_detect.onnx");
var landmarkPath = Path.Combine(modelDir, "fr_landmark.onnx");
var recognizerPath = Path.Combine(modelDir, "fr_feature.onnx");

// 1. Face crops as a user sends them: the vendor's geometry (box grown by a margin, longest side <= 256), PNG.
var crops = MakeCrops(detectorPath, landmarkPath, photoDir, count, out var faces);
Console.WriteLine($"LocalEngine benchmark: {crops.Count} face crops (PNG, longest side <= 256 px, {crops.Average(c => c.Length) / 1024:F0} KiB average) from {faces} faces in 6 photos");
Console.WriteLine($"models: detector {Path.GetFileName(detectorPath)} + {Path.GetFileName(landmarkPath)}, recogniser {Path.GetFileName(recognizerPath)}; {Environment.ProcessorCount} cores; ONNX Runtime 1 thread per call");

var results = new Dictionary<int, (double Engine, double Detect, double Recognise, double Bare)>();
foreach (var workers in new[] { 1, 2 })
{
    using var engine = LocalFaceEngine.Open(new LocalFaceEngineOptions
    {
        RecognizerPath = recognizerPath,
        DetectorPath = detectorPath,
        LandmarkPath = landmarkPath,
        Normalization = PixelNormalization.FacePlugin,
        MaxDegreeOfParallelism = workers,
    });
    engine.Embed(crops.Take(Math.Min(16, crops.Count)).ToList(), CancellationToken.None); // warm-up

    // End to end, as Get-FaceEmbedding -ModelPath and the endpoint run it.
    var engineTime = Time(() => engine.Embed(crops, CancellationToken.None));

    // The two halves separately: detection side (decode, detect, landmarks, align, normalise) ...
    PreparedFace[] prepared = null;
    var detectTime = Time(() =>
    {
        var p = new PreparedFace[crops.Count];
        Parallel.For(0, crops.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => p[i] = engine.Prepare(crops[i]));
        prepared = p;
    });
    // ... and recognition of the prepared faces through the engine (batching, normalisation of the output).
    var recogniseTime = Time(() => engine.EmbedPrepared(prepared, CancellationToken.None));

    // The baseline: a bare session, the same preprocessed tensors, nothing else.
    var inputs = prepared.Where(p => p != null).Select(p => p.Input).ToList();
    var bareTime = BareLoop(recognizerPath, inputs, workers);
    var missing = prepared.Count(p => p == null);
    if (missing > 0) { Console.WriteLine($"  ({missing} crops had no detectable face)"); }
    results[workers] = (engineTime, detectTime, recogniseTime, bareTime);
}

double Rate(double seconds) => crops.Count / seconds;
Console.WriteLine();
Console.WriteLine($"{"images/s",-52}{"1 worker",12}{"2 workers",12}{"scaling",10}");
void Row(string name, Func<(double Engine, double Detect, double Recognise, double Bare), double> pick) =>
    Console.WriteLine($"{name,-52}{Rate(pick(results[1])),12:F1}{Rate(pick(results[2])),12:F1}{pick(results[1]) / pick(results[2]),9:F2}x");
Row("engine end to end (decode+detect+align+recognise)", r => r.Engine);
Row("  detection side (decode+detect+landmarks+align)", r => r.Detect);
Row("  recognition side (engine batches)", r => r.Recognise);
Row("bare ONNX Runtime loop (same tensors)", r => r.Bare);
Console.WriteLine();
foreach (var w in new[] { 1, 2 })
{
    var r = results[w];
    Console.WriteLine(
        $"{w} worker{(w > 1 ? "s" : " ")}: engine {r.Engine:F2} s, bare recogniser loop {r.Bare:F2} s -> engine overhead (decode, detect, align, batch) " +
        $"{(r.Engine - r.Bare) / r.Engine:P1} of the total; recognition-side overhead over the bare loop {(r.Recognise - r.Bare) / r.Recognise:P1}");
}

static double Time(Action action)
{
    GC.Collect();
    var sw = Stopwatch.StartNew();
    action();
    return sw.Elapsed.TotalSeconds;
}

static double BareLoop(string model, List<float[]> inputs, int workers)
{
    using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
    using var session = new InferenceSession(model, options);
    using var runOptions = new RunOptions();
    var inputName = session.InputMetadata.Keys.First();
    var outputName = session.OutputMetadata.Keys.First();
    var shape = new long[] { 1, 3, 112, 112 };
    void RunOne(float[] data)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var results = session.Run(runOptions, new[] { inputName }, new[] { value }, new[] { outputName });
    }

    RunOne(inputs[0]);
    return Time(() => Parallel.For(0, inputs.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => RunOne(inputs[i])));
}

static List<byte[]> MakeCrops(string detectorPath, string landmarkPath, string photoDir, int count, out int faceCount)
{
    var sources = new List<(Image<Rgb24> Photo, FaceDetection Face)>();
    using (var detector = FaceDetector.Open(detectorPath, landmarkPath))
    {
        for (var n = 1; n <= 6; n++)
        {
            var photo = Image.Load<Rgb24>(Path.Combine(photoDir, $"sample{n}.jpg"));
            var upright = RgbImage.Decode(File.ReadAllBytes(Path.Combine(photoDir, $"sample{n}.jpg")));
            foreach (var face in detector.DetectBoxes(upright)) { sources.Add((photo, face)); }
        }
    }

    faceCount = sources.Count;
    var crops = new List<byte[]>(count);
    for (var i = 0; i < count; i++)
    {
        // Every crop differs: face, margin (0.15 .. 0.6) and mirror vary with i.
        var (photo, face) = sources[i % sources.Count];
        var round = i / sources.Count;
        var margin = 0.15 + (0.05 * (round % 10));
        var dw = (int)(face.Width * margin / 2);
        var dh = (int)(face.Height * margin / 2);
        var x1 = Math.Max(0, (int)face.X - dw);
        var y1 = Math.Max(0, (int)face.Y - dh);
        var x2 = Math.Min(photo.Width, (int)(face.X + face.Width) + dw);
        var y2 = Math.Min(photo.Height, (int)(face.Y + face.Height) + dh);
        using var crop = photo.Clone(c => c.Crop(new Rectangle(x1, y1, x2 - x1, y2 - y1)));
        var longest = Math.Max(crop.Width, crop.Height);
        if (longest > 256) { crop.Mutate(c => c.Resize(crop.Width * 256 / longest, crop.Height * 256 / longest)); }
        if ((round / 10) % 2 == 1) { crop.Mutate(c => c.Flip(FlipMode.Horizontal)); }
        using var stream = new MemoryStream();
        crop.SaveAsPng(stream);
        crops.Add(stream.ToArray());
    }

    foreach (var photo in sources.Select(s => s.Photo).Distinct()) { photo.Dispose(); }
    return crops;
}
