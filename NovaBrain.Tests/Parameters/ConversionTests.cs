using System.Net;
using System.Net.Http.Json;
using Google.Protobuf;
using NovaBrain.Onnx.Building;
using NovaBrain.Onnx.Format;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using static NovaBrain.Tests.Parameters.Safetensors;

namespace NovaBrain.Tests.Parameters;

/// <summary>float16 and int8 conversions of parameter-set versions, checked against the converted files themselves.</summary>
[TestClass]
public sealed class ConversionTests
{
    private const int Rows = 48;
    private const int Columns = 32;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ConvertToFloat16_HalvesTheFloat32Tensors_WithinHalfPrecision_AsANewVersionWithLineage()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var (name, weights, original) = await AddSourceAsync(admin);

        var conversion = await ConvertAsync(admin, name, new { to = "float16" });

        Assert.AreEqual((2, 1), (conversion.Version.Version, conversion.Version.SourceVersion));
        Assert.AreEqual("1", conversion.Version.Tags["converted-from"]);
        Assert.AreEqual("float16", conversion.Version.Tags["conversion"]);
        var converted = await admin.DownloadAsync(conversion.Version.Blob, TestContext.CancellationToken);
        AssertSizes(conversion, original, converted);
        var file = Read(converted);
        Assert.AreEqual(("F16", Rows * Columns * 2), (file.Tensors["w"].Dtype, file.Tensors["w"].Data.Length));
        CollectionAssert.AreEqual(new byte[] { 7, 0, 0, 0, 0, 0, 0, 0 }, file.Tensors["step"].Data, "non-float tensors are copied");
        Assert.AreEqual($"{name}/1", file.Metadata["novabrain.converted_from"]);

        var errors = FromF16(file.Tensors["w"].Data).Zip(weights, (half, single) => Math.Abs((double)half - single)).ToArray();
        Assert.IsLessThanOrEqualTo(1e-3 * weights.Max(Math.Abs), errors.Max(), "float16 keeps 11 significant bits");
        var w = conversion.Tensors.Single();
        Assert.AreEqual(("w", "F32", "F16", (long)Rows * Columns), (w.Name, w.FromDtype, w.ToDtype, w.Elements));
        Assert.AreEqual(errors.Max(), w.MaxAbsError, 1e-12);
        Assert.AreEqual(errors.Average(), w.MeanAbsError, 1e-12);
        Assert.AreEqual(errors.Max(), conversion.MaxAbsError, 1e-12);

        var tensors = await admin.TensorsAsync(name, 2, TestContext.CancellationToken);
        Assert.AreEqual(new TensorBody("w", "F16", [Rows, Columns], Rows * Columns * 2), tensors.Tensors[0]);
    }

    [TestMethod]
    public async Task ConvertToInt8_PerTensor_QuantizesSymmetrically_WithinHalfAScale()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var (name, weights, original) = await AddSourceAsync(admin);

        var conversion = await ConvertAsync(admin, name, new { to = "int8", granularity = "per-tensor" });

        var converted = await admin.DownloadAsync(conversion.Version.Blob, TestContext.CancellationToken);
        AssertSizes(conversion, original, converted);
        var file = Read(converted);
        var scaleTensor = file.Tensors["w.scale"];
        Assert.AreEqual(("F32", 0), (scaleTensor.Dtype, scaleTensor.Shape.Length));
        var scale = ToF32(scaleTensor.Data).Single();
        Assert.AreEqual(weights.Max(Math.Abs) / 127f, scale, 1e-9f);
        Assert.AreEqual("I8", file.Tensors["w"].Dtype);

        var errors = ToI8(file.Tensors["w"].Data).Zip(weights, (q, w) => Math.Abs(q * (double)scale - w)).ToArray();
        Assert.IsLessThanOrEqualTo(scale / 2 * (1 + 1e-6), errors.Max(), $"within half the scale {scale}");
        Assert.AreEqual(errors.Max(), conversion.MaxAbsError, 1e-9);
        Assert.AreEqual(errors.Average(), conversion.MeanAbsError, 1e-9);
        Assert.AreEqual("int8-per-tensor", conversion.Version.Tags["conversion"]);
    }

    [TestMethod]
    public async Task ConvertToInt8_PerChannel_GivesEachRowItsScale_WithinHalfOfIt()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var (name, weights, original) = await AddSourceAsync(admin);

        var conversion = await ConvertAsync(admin, name, new { to = "int8", granularity = "per-channel" });

        var converted = await admin.DownloadAsync(conversion.Version.Blob, TestContext.CancellationToken);
        AssertSizes(conversion, original, converted);
        var file = Read(converted);
        CollectionAssert.AreEqual(new long[] { Rows }, file.Tensors["w.scale"].Shape);
        var scales = ToF32(file.Tensors["w.scale"].Data);
        var quantized = ToI8(file.Tensors["w"].Data);
        var maxError = 0.0;
        for (var row = 0; row < Rows; row++)
        {
            var values = weights.Skip(row * Columns).Take(Columns).ToArray();
            Assert.AreEqual(values.Max(Math.Abs) / 127f, scales[row], 1e-9f, $"row {row}'s scale");
            var rowError = Enumerable.Range(0, Columns).Max(i => Math.Abs(quantized[row * Columns + i] * (double)scales[row] - values[i]));
            Assert.IsLessThanOrEqualTo(scales[row] / 2 * (1 + 1e-6), rowError, $"row {row}: within half its scale {scales[row]}");
            maxError = Math.Max(maxError, rowError);
        }
        Assert.AreEqual(maxError, conversion.MaxAbsError, 1e-9);
    }

    [TestMethod]
    public async Task ConvertAnOnnxModelToInt8_QuantizesItsInitializers_DecodedByDequantizeLinear()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("onnx-int8");
        var model = OnnxModels.Mlp([64, 32, 4], seed: 3);
        await admin.AddVersionAsync(name, model.ToByteArray(), "onnx", TestContext.CancellationToken);

        var conversion = await ConvertAsync(admin, name, new { to = "int8", granularity = "per-channel" });

        Assert.HasCount(4, conversion.Tensors);
        var converted = ModelProto.Parser.ParseFrom(await admin.DownloadAsync(conversion.Version.Blob, TestContext.CancellationToken));
        var initializers = converted.Graph.Initializer.ToDictionary(tensor => tensor.Name);
        var original = model.Graph.Initializer.Single(tensor => tensor.Name == "layer0.weight");
        var weights = ToF32(original.RawData.ToByteArray());
        var quantized = ToI8(initializers["layer0.weight::int8"].RawData.ToByteArray());
        var scales = ToF32(initializers["layer0.weight::scale"].RawData.ToByteArray());
        Assert.HasCount(64, scales);
        for (var i = 0; i < weights.Length; i++)
        {
            Assert.IsLessThanOrEqualTo(scales[i / 32] / 2 * (1 + 1e-6), Math.Abs(quantized[i] * (double)scales[i / 32] - weights[i]), $"element {i}");
        }
        var decoder = converted.Graph.Node.First(node => node.Output.Single() == "layer0.weight");
        Assert.AreEqual("DequantizeLinear", decoder.OpType);
        Assert.AreEqual(0, decoder.Attribute.Single(attribute => attribute.Name == "axis").I);
        Assert.IsLessThan(conversion.OriginalBytes, conversion.ConvertedBytes);

        var tensors = await admin.TensorsAsync(name, 2, TestContext.CancellationToken);
        CollectionAssert.Contains(tensors.Tensors, new TensorBody("layer0.weight::int8", "I8", [64, 32], 64 * 32));

        var half = await ConvertAsync(admin, name, new { to = "float16" });
        var halved = ModelProto.Parser.ParseFrom(await admin.DownloadAsync(half.Version.Blob, TestContext.CancellationToken));
        var cast = halved.Graph.Node.First(node => node.Output.Single() == "layer0.weight");
        Assert.AreEqual(("Cast", "layer0.weight::float16"), (cast.OpType, cast.Input.Single()));
        var halfWeights = FromF16(halved.Graph.Initializer.Single(tensor => tensor.Name == "layer0.weight::float16").RawData.ToByteArray());
        Assert.IsLessThanOrEqualTo(1e-3 * weights.Max(Math.Abs), halfWeights.Zip(weights, (h, w) => Math.Abs((double)h - w)).Max());
        Assert.AreEqual(halfWeights.Zip(weights, (h, w) => Math.Abs((double)h - w)).Max(), half.Tensors.Single(tensor => tensor.Name == "layer0.weight").MaxAbsError, 1e-12);
    }

    [TestMethod]
    public async Task Convert_WithAnUnknownTargetOrAnOpaqueFormat_IsRefusedWithAReason()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var (name, _, _) = await AddSourceAsync(admin);
        await admin.AddVersionAsync(name, [1, 2, 3], "other", TestContext.CancellationToken);

        using var unknown = await admin.PostAsJsonAsync($"{ParameterApi.Sets}/{name}/versions/1/convert", new { to = "int4" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, unknown.StatusCode);
        using var granularity = await admin.PostAsJsonAsync($"{ParameterApi.Sets}/{name}/versions/1/convert", new { to = "float16", granularity = "per-channel" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, granularity.StatusCode);
        using var opaque = await admin.PostAsJsonAsync($"{ParameterApi.Sets}/{name}/versions/2/convert", new { to = "float16" }, TestContext.CancellationToken);
        await opaque.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "not-convertible");
        Assert.AreEqual(2, (await admin.GetFromJsonAsync<SetBody>($"{ParameterApi.Sets}/{name}", TestContext.CancellationToken))!.Latest, "nothing was created");
    }

    [TestMethod]
    public async Task ConvertAndDiff_OfA256MiBSafetensorsFile_StreamInBoundedMemory()
    {
        const int rows = 16384, columns = 4096;
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        admin.Timeout = TimeSpan.FromMinutes(5);
        var name = Accounts.Unique("large");
        var content = new GeneratedSafetensorsContent("w", rows, columns, seed: 9);
        using (var posted = await admin.PostAsync(ParameterApi.Blobs, content, TestContext.CancellationToken))
        {
            var blob = await posted.ReadAsync<BlobBody>();
            (await admin.PostVersionAsync(name, blob.Digest, "safetensors", TestContext.CancellationToken)).EnsureSuccessStatusCode();
        }

        using var service = system.ServiceProcess("parameters");
        service.Refresh();
        var before = service.WorkingSet64;
        ConversionBody conversion;
        DiffBody diff;
        long peak;
        using (var sampling = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken))
        {
            var sampler = ServiceMemory.PeakWorkingSetAsync(service, sampling.Token);
            conversion = await ConvertAsync(admin, name, new { to = "float16" });
            diff = (await admin.GetFromJsonAsync<DiffBody>($"{ParameterApi.Sets}/{name}/diff?from=1&to=2", TestContext.CancellationToken))!;
            await sampling.CancelAsync();
            peak = await sampler;
        }

        Assert.AreEqual(content.Length, conversion.OriginalBytes);
        Assert.AreEqual((long)rows * columns * 2, conversion.ConvertedBytes, 1024, "the header aside, half the bytes");
        Assert.IsLessThanOrEqualTo(1e-3, conversion.MaxAbsError);
        var norms = diff.Common.Single().Norms!;
        Assert.AreEqual(Math.Sqrt(content.SumOfSquares), norms.From, 1e-6 * norms.From);
        Assert.IsLessThanOrEqualTo(conversion.MaxAbsError * Math.Sqrt((double)rows * columns), norms.Difference);
        var growth = peak - before;
        TestContext.WriteLine($"parameters working set: {before / 1048576} MiB before, +{growth / 1048576} MiB at most converting and diffing {content.Length / 1048576} MiB");
        Assert.IsLessThan(100L * 1024 * 1024, growth, "the service's working set growth while converting and diffing");
    }

    /// <summary>A set whose version 1 holds a float32 matrix <c>w</c> with values in [-1, 1] and an int64 <c>step</c>.</summary>
    private async Task<(string Name, float[] Weights, byte[] File)> AddSourceAsync(HttpClient admin)
    {
        var name = Accounts.Unique("convert");
        var weights = Uniform(Rows * Columns, seed: 11);
        var file = Write(
            [new Tensor("w", "F32", [Rows, Columns], F32(weights)), new Tensor("step", "I64", [1], [7, 0, 0, 0, 0, 0, 0, 0])],
            new Dictionary<string, string> { ["origin"] = "test" });
        await admin.AddVersionAsync(name, file, "safetensors", TestContext.CancellationToken);
        return (name, weights, file);
    }

    private async Task<ConversionBody> ConvertAsync(HttpClient admin, string name, object request)
    {
        using var response = await admin.PostAsJsonAsync($"{ParameterApi.Sets}/{name}/versions/1/convert", request, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        return await response.ReadAsync<ConversionBody>();
    }

    private static void AssertSizes(ConversionBody conversion, byte[] original, byte[] converted)
    {
        Assert.AreEqual(original.Length, conversion.OriginalBytes);
        Assert.AreEqual(converted.Length, conversion.ConvertedBytes);
        Assert.AreEqual(converted.Length, conversion.Version.Size);
        Assert.AreEqual(1 - (double)converted.Length / original.Length, conversion.SizeReduction, 1e-12);
        Assert.AreEqual((double)original.Length / converted.Length, conversion.CompressionRatio, 1e-12);
        Assert.IsGreaterThan(0.4, conversion.SizeReduction, "the size reduction");
    }

    private sealed record SetBody(string Name, int Current, int Latest);

    private sealed record NormsBody(double Difference, double From, double To);

    private sealed record DeltaBody(string Name, NormsBody? Norms);

    private sealed record DiffBody(DeltaBody[] Common);

    /// <summary>
    /// A safetensors file of one F32 matrix with seeded values in [-1, 1], generated a megabyte at a time while it is
    /// sent; it keeps the sum of the squares of its values.
    /// </summary>
    private sealed class GeneratedSafetensorsContent : HttpContent
    {
        private readonly byte[] header;
        private readonly long elements;
        private readonly int seed;

        public GeneratedSafetensorsContent(string tensor, int rows, int columns, int seed)
        {
            elements = (long)rows * columns;
            this.seed = seed;
            header = HeaderFor(tensor, "F32", [rows, columns], elements * 4);
            Length = header.Length + elements * 4;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        }

        public long Length { get; }

        public double SumOfSquares { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(header);
            var random = new Random(seed);
            var values = new float[256 * 1024];
            var sum = 0.0;
            for (var remaining = elements; remaining > 0;)
            {
                var count = (int)Math.Min(values.Length, remaining);
                for (var i = 0; i < count; i++)
                {
                    values[i] = (float)(random.NextDouble() * 2 - 1);
                    sum += (double)values[i] * values[i];
                }
                await stream.WriteAsync(F32(values[..count]));
                remaining -= count;
            }
            SumOfSquares = sum;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Length;
            return true;
        }
    }

    private sealed record ConvertedTensorBody(string Name, string FromDtype, string ToDtype, long Elements, double MaxAbsError, double MeanAbsError);

    private sealed record ConversionBody(
        VersionBody Version, string To, string? Granularity, long OriginalBytes, long ConvertedBytes, double SizeReduction, double CompressionRatio,
        double MaxAbsError, double MeanAbsError, ConvertedTensorBody[] Tensors);
}
