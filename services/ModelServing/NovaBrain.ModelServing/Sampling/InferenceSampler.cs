using System.Threading.Channels;
using Microsoft.Extensions.Options;
using NovaBrain.Contracts.IntegrationEvents.Serving;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.ModelServing.Deployments;
using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Infrastructure;
using NovaBrain.ModelServing.Protocol;

namespace NovaBrain.ModelServing.Sampling;

/// <summary>
/// Publishes a sample of answered requests, with their inputs and outputs, as <see cref="InferenceSampled"/> events for
/// drift monitoring. The request path only copies a sampled request into a bounded queue, never waiting: this service
/// publishes from the queue in the background, straight to the event bus (it keeps no database for an outbox), and a
/// sample the broker does not take in time, or that finds the queue full, is dropped rather than delaying inference.
/// </summary>
public sealed class InferenceSampler(IEventBus eventBus, IOptions<ServingOptions> options, ILogger<InferenceSampler> logger) : BackgroundService
{
    private readonly SamplingOptions settings = options.Value.Sampling;
    private readonly Channel<InferenceSampled> queue = Channel.CreateBounded<InferenceSampled>(
        new BoundedChannelOptions(options.Value.Sampling.QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long dropped;

    /// <summary>Samples (at the served version's rate, else the configured one) an answered request, copying what it keeps.</summary>
    public void Offer(ServedModel served, InferenceRequest request, IReadOnlyList<TensorData> outputs)
    {
        var rate = served.SamplingRate ?? settings.Rate;
        if (rate <= 0 || Random.Shared.NextDouble() >= rate)
        {
            return;
        }
        var sample = new InferenceSampled(
            served.Name, served.Source.Model, served.Source.Version, served.Provider, request.Id,
            request.Inputs.Select(Sampled).ToArray(), outputs.Select(Sampled).ToArray());
        if (!queue.Writer.TryWrite(sample))
        {
            Interlocked.Increment(ref dropped);
        }
    }

    // Inputs may lie in a pooled request buffer reused once the request is answered: their data is copied here.
    private SampledTensor Sampled(TensorData tensor) => tensor.Data.Length > settings.MaxTensorBytes
        ? new SampledTensor(tensor.Name, tensor.DataType.ProtocolName(), tensor.Shape, null, Omitted: true)
        : new SampledTensor(tensor.Name, tensor.DataType.ProtocolName(), tensor.Shape, tensor.Data.ToArray(), Omitted: false);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        await foreach (var sample in queue.Reader.ReadAllAsync(stoppingToken))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(settings.PublishTimeout);
            try
            {
                await eventBus.PublishAsync(sample, timeout.Token);
                if (failing)
                {
                    failing = false;
                    logger.LogInformation("Inference samples are published again; {Dropped} were dropped so far", Interlocked.Read(ref dropped));
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref dropped);
                if (!failing)
                {
                    failing = true;
                    logger.LogWarning(exception, "Inference samples cannot be published; they are dropped until the event bus takes them again");
                }
            }
        }
    }
}
