using Microsoft.ML.OnnxRuntime;

namespace NovaBrain.ModelServing.Engines;

/// <summary>
/// The process's one ONNX Runtime environment, created with a global intra-op thread pool sized to the machine, which
/// every session shares: many models and instances do not each start a pool of their own and fight over the cores.
/// </summary>
internal static class OnnxRuntimeEnvironment
{
    private static readonly Lazy<bool> SharedThreadPool = new(CreateWithSharedThreadPool);

    // The environment keeps using the threading options it was created with.
    private static OrtThreadingOptions? threading;

    /// <summary>
    /// Whether sessions use the shared pool: false when another component of the process created the environment first
    /// (the environment is a singleton that cannot be re-created), in which case each session keeps its own threads.
    /// </summary>
    public static bool HasSharedThreadPool => SharedThreadPool.Value;

    /// <summary>The threads one run may use: one per core, the calling thread among them.</summary>
    public static int IntraOpThreads => Environment.ProcessorCount;

    private static bool CreateWithSharedThreadPool()
    {
        threading = new OrtThreadingOptions
        {
            GlobalIntraOpNumThreads = IntraOpThreads,
            GlobalInterOpNumThreads = 1,
            // Many concurrent runs: threads that spin while idle would take the cores from the runs that have work.
            GlobalSpinControl = false,
        };
        var options = new EnvironmentCreationOptions
        {
            logId = "novabrain-model-serving",
            logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
            threadOptions = threading,
        };
        try
        {
            OrtEnv.CreateInstanceWithOptions(ref options);
            return true;
        }
        catch (OnnxRuntimeException)
        {
            threading.Dispose();
            threading = null;
            return false;
        }
    }
}
