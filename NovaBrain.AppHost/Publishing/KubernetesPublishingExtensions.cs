using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NovaBrain.AppHost.Publishing;
using NovaBrain.AppHost.Publishing.Kubernetes;
using NovaBrain.AppHost.Publishing.Kustomize;

#pragma warning disable ASPIREPIPELINES001 // The pipeline API is experimental in Aspire 13.
#pragma warning disable ASPIREPIPELINES004

namespace Aspire.Hosting;

public static class KubernetesPublishingExtensions
{
    public const string StepName = "publish-kubernetes";
    public const string OutputFolder = "k8s";

    /// <summary>
    /// Adds the <c>publish-kubernetes</c> step, part of <c>publish</c>: it renders the app model as Kubernetes manifests
    /// in <c>&lt;output&gt;/k8s</c>, a kustomize base and an overlay per environment (<see cref="KubernetesPublishingOptions"/>).
    /// </summary>
    public static IDistributedApplicationBuilder AddKubernetesPublishing(this IDistributedApplicationBuilder builder)
    {
        builder.Pipeline.AddStep(StepName, PublishAsync, requiredBy: WellKnownPipelineSteps.Publish);
        return builder;
    }

    private static async Task PublishAsync(PipelineStepContext context)
    {
        var configuration = context.Services.GetRequiredService<IConfiguration>();
        var options = configuration.GetSection(KubernetesPublishingOptions.SectionName).Get<KubernetesPublishingOptions>() ?? new KubernetesPublishingOptions();
        var builder = new KubernetesModelBuilder(options, context.ExecutionContext, key => configuration[$"Parameters:{key}"]);
        var model = await builder.BuildAsync(context.Model, context.CancellationToken);

        var folder = Path.Combine(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory(), OutputFolder);
        KustomizeLayout.Write(folder, model, options);
        context.Logger.LogInformation(
            "Wrote Kubernetes manifests for {Count} resources to {Folder}: apply one environment with kubectl apply -k {Folder}/overlays/<name>",
            model.Resources.Count, folder, folder);
    }
}
