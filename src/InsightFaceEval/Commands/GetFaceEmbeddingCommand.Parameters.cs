using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using InsightFaceEval.Embedding;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Commands
{
    /// <summary>Get-FaceEmbedding's parameters: the endpoint, local-model and pack sets, and the run's settings.</summary>
    public sealed partial class GetFaceEmbeddingCommand
    {

        /// <summary>Image files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LocalPathSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PackPathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; }

        /// <summary>Image files, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LocalLiteralPathSet)]
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PackLiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>
        /// Model names; completes the four known ones and accepts any other. With -ModelPath: the names the local
        /// models are stored under, one per file (default: each file's name without its extension).
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[] Model { get; set; }

        /// <summary>
        /// The endpoint URL, as a string or a SecureString (Get-Secret); defaults to $env:INSIGHTFACE_SERVER_URL.
        /// Held as an <see cref="EndpointAddress"/> from binding on, so it prints as "&lt;endpoint&gt;" everywhere.
        /// </summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [EndpointTransformation]
        public EndpointAddress ServerUrl { get; set; }

        /// <summary>The API the URL speaks: Hosted (default) or InsightFaceServer (a base URL, POST /v1/embeddings).</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public EndpointApi Api { get; set; }

        /// <summary>InsightFace Server's API key (a SecureString, e.g. from Get-Secret); default: $env:INSIGHTFACE_SERVER_API_KEY.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public System.Security.SecureString ApiKey { get; set; }

        /// <summary>InsightFace Server's Collection whose detection profile the server uses; default: the server's own.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string CollectionId { get; set; }

        /// <summary>Local ONNX recognition models to run instead of the endpoint (or -ModelPack).</summary>
        [Parameter(Mandatory = true, ParameterSetName = LocalPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = LocalLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string[] ModelPath { get; set; }

        /// <summary>A folder laid out like an InsightFace model pack: its recogniser and detector, found by their shapes.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PackPathSet)]
        [Parameter(Mandatory = true, ParameterSetName = PackLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string ModelPack { get; set; }

        /// <summary>The square size an SCRFD or RetinaFace detector with a free input size runs at (InsightFace's det_size).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateRange(32, 4096)]
        public int DetectionSize { get; set; } = 640;

        /// <summary>The face detector that finds the face again in each crop; default: the module's.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string DetectorPath { get; set; }

        /// <summary>The landmark model that places the five alignment points; default: the module's.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateNotNullOrEmpty]
        public string LandmarkPath { get; set; }

        /// <summary>The recogniser's pixel preset: insightface (default) or faceplugin.</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateSet(PixelNormalization.InsightFacePreset, PixelNormalization.FacePluginPreset, IgnoreCase = true)]
        public string Normalization { get; set; } = PixelNormalization.InsightFacePreset;

        /// <summary>A custom mean subtracted from every pixel value (InsightFace's input_mean).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateRange(-255.0f, 255.0f)]
        public float InputMean { get; set; }

        /// <summary>A custom divisor of every centred pixel value (InsightFace's input_std).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateRange(0.001f, 100000.0f)]
        public float InputStd { get; set; }

        /// <summary>Channel order of the recogniser's input; default: the preset's (RGB).</summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        public ChannelOrder ChannelOrder { get; set; }

        /// <summary>
        /// Which face a local model embeds when its detector finds several in a crop: LargestCentered (default, as
        /// InsightFace picks), Largest, or RequireOne (such a crop is an error). New-FaceCrop's -FaceSelection values.
        /// </summary>
        [Parameter(ParameterSetName = LocalPathSet)]
        [Parameter(ParameterSetName = PackPathSet)]
        [Parameter(ParameterSetName = LocalLiteralPathSet)]
        [Parameter(ParameterSetName = PackLiteralPathSet)]
        [ValidateSet(nameof(Imaging.FaceSelection.LargestCentered), nameof(Imaging.FaceSelection.Largest), nameof(Imaging.FaceSelection.RequireOne), IgnoreCase = true)]
        public Imaging.FaceSelection FaceSelection { get; set; } = Imaging.FaceSelection.LargestCentered;

        /// <summary>The dataset key of the image (bound from input objects that carry one, such as FaceCrop).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string RelativePath { get; set; }

        /// <summary>Identity label (bound from input objects that carry one); defaults to the parent folder's name.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string Identity { get; set; }

        /// <summary>A CSV of path,identity: every image's identity comes from it (see about the identity map in the help).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string IdentityMap { get; set; }

        /// <summary>The dataset's root folder, for relative paths of inputs that carry none.</summary>
        [Parameter]
        public string DatasetRoot { get; set; }

        /// <summary>The embedding store; defaults to "embeddings" in the current folder.</summary>
        [Parameter]
        public string OutputDirectory { get; set; }

        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 4;

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(0.01, 100000.0)]
        [Alias("MaxRequestsPerSecond")]
        public double MaximumRequestsPerSecond { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(0, 100)]
        public int MaximumRetryCount { get; set; } = 5;

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 120;

        /// <summary>Longest wait honoured for one 429's Retry-After; a longer one is cut to this.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(0, 86400)]
        public int MaximumRetryAfterSec { get; set; } = 120;

        /// <summary>Send the file's real name instead of its content hash.</summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public SwitchParameter SendFileName { get; set; }

        /// <summary>Ask again for images the store records as failures to acquire.</summary>
        [Parameter]
        public SwitchParameter RetryNoFace { get; set; }

        /// <summary>Extract again even when the store has a result.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }
    }
}
