using System.Diagnostics.Metrics;

namespace NovaBrain.ModelServing.Metrics;

/// <summary>
/// The serving instruments, named after Triton's (<c>nv_inference_*</c>) so dashboards built for Triton map onto them;
/// every measurement carries the model, version and execution provider. Durations are in microseconds, as Triton's.
/// </summary>
public sealed class ServingMetrics
{
    public const string MeterName = "NovaBrain.ModelServing";

    public ServingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        RequestSuccess = meter.CreateCounter<long>("nv_inference_request_success", description: "Successful inference requests.");
        RequestFailure = meter.CreateCounter<long>("nv_inference_request_failure",
            description: "Failed inference requests, by reason: REJECTED (queue full or timed out), CANCELED, BACKEND, OTHER.");
        InferenceCount = meter.CreateCounter<long>("nv_inference_count", description: "Inferences performed: each row of a batched request counts.");
        ExecutionCount = meter.CreateCounter<long>("nv_inference_exec_count",
            description: "Model executions; inference count divided by this is the average batch size.");
        PendingRequests = meter.CreateUpDownCounter<long>("nv_inference_pending_request_count", description: "Requests waiting in the queue.");
        RequestDuration = Duration(meter, "nv_inference_request_duration_us", "From arrival in the queue to the response, per request.");
        QueueDuration = Duration(meter, "nv_inference_queue_duration_us", "Time waiting in the queue, per request.");
        ComputeInputDuration = Duration(meter, "nv_inference_compute_input_duration_us", "Stacking the batch's inputs, per execution.");
        ComputeInferDuration = Duration(meter, "nv_inference_compute_infer_duration_us", "Running the model, per execution.");
        ComputeOutputDuration = Duration(meter, "nv_inference_compute_output_duration_us", "Splitting the outputs back to requests, per execution.");
    }

    public Counter<long> RequestSuccess { get; }

    public Counter<long> RequestFailure { get; }

    public Counter<long> InferenceCount { get; }

    public Counter<long> ExecutionCount { get; }

    public UpDownCounter<long> PendingRequests { get; }

    public Histogram<double> RequestDuration { get; }

    public Histogram<double> QueueDuration { get; }

    public Histogram<double> ComputeInputDuration { get; }

    public Histogram<double> ComputeInferDuration { get; }

    public Histogram<double> ComputeOutputDuration { get; }

    private static Histogram<double> Duration(Meter meter, string name, string description) =>
        meter.CreateHistogram<double>(name, unit: null, description, advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000],
        });
}
