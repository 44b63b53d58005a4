using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using NovaBrain.Contracts.IntegrationEvents.Serving;
using NovaBrain.ModelServing.Protocol.Grpc;
using NovaBrain.Tests.EndToEnd;
using RabbitMQ.Client;

namespace NovaBrain.Tests.Serving;

/// <summary>
/// Drift sampling on the running system: a deployment sampling every request publishes each one, with its inputs and
/// outputs, as an <c>InferenceSampled</c> event on the event bus, read here from a queue of the test's own.
/// </summary>
[TestClass]
public sealed class InferenceSamplingTests
{
    private const string EventExchange = "novabrain.events";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Infer_OnADeploymentSamplingEveryRequest_PublishesItsInputsAndOutputs_LeavingOutTensorsOverTheLimit()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        var (model, _) = await gateway.RegisterMlpAsync(1);
        var name = Auth.Accounts.Unique("sampled");
        await gateway.DeployAsync(name, $"models:/{model}/1", new { sampling = new { rate = 1.0 } });
        await gateway.WaitForStateAsync(name, "Ready");

        var factory = new ConnectionFactory { Uri = new Uri((await system.App.GetConnectionStringAsync("eventbus", TestContext.CancellationToken))!) };
        await using var connection = await factory.CreateConnectionAsync(TestContext.CancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.CancellationToken);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: TestContext.CancellationToken);
        await channel.QueueBindAsync(queue.QueueName, EventExchange, nameof(InferenceSampled), cancellationToken: TestContext.CancellationToken);

        using var grpc = GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(grpc);
        var caller = new Metadata { { "authorization", $"Bearer {token}" } };
        var small = ServingModels.RandomRows(1, seed: 31);
        // 21 rows of 784 FP32 values are 65,856 bytes: over the default 64 KiB a sampled tensor may carry.
        var large = ServingModels.RandomRows(21, seed: 32);
        var smallAnswer = await client.ModelInferAsync(Request(name, "small", small), caller, cancellationToken: TestContext.CancellationToken);
        var largeAnswer = await client.ModelInferAsync(Request(name, "large", large), caller, cancellationToken: TestContext.CancellationToken);

        var samples = await ReadSamplesAsync(channel, queue.QueueName, name, count: 2);

        var smallSample = samples.Single(sample => sample.RequestId == "small");
        Assert.AreEqual((model, 1, "CPUExecutionProvider"), (smallSample.Model, smallSample.Version, smallSample.Provider));
        var input = smallSample.Inputs.Single();
        Assert.AreEqual(("input", "FP32", false), (input.Name, input.Datatype, input.Omitted));
        CollectionAssert.AreEqual(new long[] { 1, ServingModels.InputWidth }, input.Shape.ToArray());
        CollectionAssert.AreEqual(MemoryMarshal.AsBytes(small.AsSpan()).ToArray(), input.Data);
        var output = smallSample.Outputs.Single();
        Assert.AreEqual(("output", "FP32"), (output.Name, output.Datatype));
        CollectionAssert.AreEqual(smallAnswer.RawOutputContents.Single().ToByteArray(), output.Data);

        var largeSample = samples.Single(sample => sample.RequestId == "large");
        var omitted = largeSample.Inputs.Single();
        Assert.IsTrue(omitted.Omitted);
        Assert.IsNull(omitted.Data);
        CollectionAssert.AreEqual(new long[] { 21, ServingModels.InputWidth }, omitted.Shape.ToArray());
        CollectionAssert.AreEqual(largeAnswer.RawOutputContents.Single().ToByteArray(), largeSample.Outputs.Single().Data);
        Assert.IsTrue(largeSample.OccurredAt > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    /// <summary>The samples of <paramref name="deployment"/> on the queue; others' samples (at the default rate) are skipped.</summary>
    private async Task<List<InferenceSampled>> ReadSamplesAsync(IChannel channel, string queue, string deployment, int count)
    {
        var samples = new List<InferenceSampled>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (samples.Count < count)
        {
            if (await channel.BasicGetAsync(queue, autoAck: true, timeout.Token) is not { } delivery)
            {
                await Task.Delay(100, timeout.Token);
                continue;
            }
            var sample = JsonSerializer.Deserialize<InferenceSampled>(delivery.Body.Span, JsonSerializerOptions.Web)!;
            if (sample.Deployment == deployment)
            {
                samples.Add(sample);
            }
        }
        return samples;
    }

    private static ModelInferRequest Request(string model, string id, float[] rows)
    {
        var request = new ModelInferRequest { ModelName = model, Id = id };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "input",
            Datatype = "FP32",
            Shape = { rows.Length / ServingModels.InputWidth, ServingModels.InputWidth },
        });
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(rows.AsSpan())));
        return request;
    }
}
