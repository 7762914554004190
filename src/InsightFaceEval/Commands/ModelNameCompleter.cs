using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace InsightFaceEval.Commands
{
    /// <summary>
    /// Completes model names: those a store named on the command line holds (Import-FaceEmbedding offers only
    /// these), then those the evaluation guide lists. Only a convenience: any other name is accepted, because the
    /// server decides and the list may change.
    /// </summary>
    public sealed class ModelNameCompleter : IArgumentCompleter
    {
        internal static readonly string[] KnownModels = { "buffalo", "dingo", "eagle", "eagle-2" };

        private static readonly Dictionary<string, string> Descriptions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["buffalo"] = "The open-source buffalo_l recogniser (baseline).",
            ["dingo"] = "Same compute as buffalo_l, clearly more accurate.",
            ["eagle"] = "Much more compute, more accurate still.",
            ["eagle-2"] = "Like eagle, with a longer embedding.",
        };

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            var offered = new HashSet<string>(StringComparer.Ordinal);
            var stored = StoredModels(fakeBoundParameters, out var store);
            foreach (var model in stored)
            {
                if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && offered.Add(model))
                {
                    yield return new CompletionResult(Quote(model), model, CompletionResultType.ParameterValue, $"Held in the store '{store}'.");
                }
            }

            // Reading a store, only what it holds can come back; extracting, any model can be added to it.
            if (stored.Count > 0 && parameterName == "Model" && string.Equals(commandName, "Import-FaceEmbedding", StringComparison.OrdinalIgnoreCase)) { yield break; }
            foreach (var model in KnownModels)
            {
                if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && offered.Add(model))
                {
                    yield return new CompletionResult(model, model, CompletionResultType.ParameterValue, Descriptions[model]);
                }
            }
        }

        // The store the command line names: Import-FaceEmbedding's -Path/-LiteralPath, Get-FaceEmbedding's -OutputDirectory.
        private static IReadOnlyList<string> StoredModels(IDictionary bound, out string store)
        {
            store = null;
            if (bound == null) { return Array.Empty<string>(); }
            foreach (var name in new[] { "LiteralPath", "Path", "OutputDirectory" })
            {
                if (!bound.Contains(name)) { continue; }
                foreach (var value in LanguagePrimitives.GetEnumerable(bound[name]) ?? new[] { bound[name] })
                {
                    var text = value is PSObject ps ? ps.BaseObject as string : value as string;
                    if (string.IsNullOrEmpty(text)) { continue; }
                    var full = ResolveFileSystemPath(text, literal: name == "LiteralPath");
                    if (full == null) { continue; }
                    var models = InsightFaceEval.Embedding.EmbeddingImport.StoredModels(full);
                    if (models.Count > 0)
                    {
                        store = text;
                        return models;
                    }
                }
            }

            return Array.Empty<string>();
        }

        // Completion runs on the pipeline thread of the current runspace: resolve the way the command will.
        private static string ResolveFileSystemPath(string path, bool literal)
        {
            try
            {
                using (var ps = PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    ps.AddScript("param($p, $literal) if ($literal) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p) } else { @(Microsoft.PowerShell.Management\\Resolve-Path -Path $p -ErrorAction Ignore | Where-Object { $_.Provider.Name -eq 'FileSystem' } | ForEach-Object ProviderPath)[0] }")
                        .AddArgument(path).AddArgument(literal);
                    var result = ps.Invoke();
                    return result.Count > 0 && result[0] != null ? result[0].BaseObject as string : null;
                }
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException || ex is ArgumentException)
            {
                return null;
            }
        }

        private static string Quote(string model) =>
            model.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ',', ';', '(', ')', '{', '}', '@', '&', '#', '|' }) >= 0 ? "'" + model.Replace("'", "''") + "'" : model;
    }
}
