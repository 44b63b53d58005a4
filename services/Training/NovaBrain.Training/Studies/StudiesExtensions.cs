using NovaBrain.Training.Studies;

namespace Microsoft.Extensions.Hosting;

public static class StudiesExtensions
{
    /// <summary>
    /// Hyperparameter studies: their options (<c>Training:Studies</c>), the manager the API uses and the coordinator
    /// that runs their trials. Belongs in the process that serves the training API; its trials run on the workers.
    /// </summary>
    public static IHostApplicationBuilder AddStudies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StudiesOptions>().BindConfiguration(StudiesOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<StudyManager>();
        builder.Services.AddHostedService<StudyCoordinator>();
        return builder;
    }
}
