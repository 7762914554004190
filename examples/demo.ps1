<#
.SYNOPSIS
    A whole evaluation on real faces, end to end, through the module's public cmdlets:
    Find-Face | New-FaceCrop | Get-FaceEmbedding | Compare-FaceEmbedding | Measure-FaceVerification |
    Export-FaceEvaluationReport.

.DESCRIPTION
    Copy this script and point it at your own photos and endpoint:

        ./demo.ps1 -PhotoPath D:\photos\*.jpg -ServerUrl $url -Model dingo, eagle

    Without -ServerUrl it rehearses on this machine: it starts the local endpoint (built by
    `build.ps1 -Task Build`) on 127.0.0.1 serving a real face-recognition model (the sample ONNX model
    fetched by `build.ps1 -Task Fetch`) under two model names that differ in one thing an evaluator
    cares about:

        <Model[0]>   sees each uploaded PNG crop as it is (lossless, as the protocol asks);
        <Model[1]>   sees each crop only after a JPEG re-encode at quality -JpegQuality, as a pipeline
                     that recompresses uploads would (the protocol's most common cause of low scores).

    HOW THE GENUINE PAIRS ARE MADE, AND WHAT THE NUMBERS DO AND DO NOT SHOW
    Who is who comes from -IdentityMap: for the sample photos, examples/demo-identities.csv, labelled
    once by eye and keyed by photo and face box (a detected face takes the row whose box overlaps it
    most, intersection over union at least 0.5). One person is clearly in two sample photos: the blonde
    woman on the right of sample1.jpg is the one in the middle of sample3.jpg. Every other face is its
    own identity; two faces are labelled as one person only where that is clear by eye, so a few
    look-alike impostor pairs may in truth show one person. Each face has four
    "captures" made from its photo: crops with three different margins (expansion 0.05, 0.2, 0.4) and
    a mirrored copy of the standard crop. So there are two kinds of genuine pair: two captures of the
    SAME photograph of a face (the server detects and aligns the face again in every crop, so margins
    change little and mirroring changes more), and 16 pairs of two DIFFERENT photos of the one repeated
    person (4 captures x 4 captures). An impostor pair is two different people. Without -IdentityMap
    (your own photos, no map), each detected face is its own identity.
    So the numbers show: that the pipeline works end to end on real faces; how far apart the same face
    and different faces land for this model; and what the lossy re-encode costs. With the sample model
    that cost shows first as failures to acquire: the server's detector misses faces in blocky JPEGs
    (FTA), and on the pairs that remain the re-encoding model can even look better, because the hard
    crops dropped out. That is why the report gives system-level numbers (a failed crop scores -1) and
    compares models only on the pairs both completed. They do NOT show how the model
    does on different photos of the same person (age, pose, lighting, camera) beyond that one person's
    16 cross-photo pairs, which is what a buying decision needs: with your own dataset of several photos
    per person, the same script measures that.

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Demo

.EXAMPLE
    ./examples/demo.ps1 -PhotoPath ./my-photos/*.jpg -ServerUrl $env:INSIGHTFACE_SERVER_URL -Model dingo, eagle
#>
[CmdletBinding()]
param(
    # Photos with faces (wildcards allowed). Default: the sample photos fetched by build.ps1 -Task Fetch.
    [string[]] $PhotoPath,

    # The endpoint URL. Without it, the demo starts the local endpoint with the sample model.
    [string] $ServerUrl,

    # Two (or more) model names. With the local endpoint: the lossless and the re-encoding model.
    [string[]] $Model = @('faceplugin', 'faceplugin-jpeg10'),

    # With the local endpoint: the JPEG quality the second model's uploads are re-encoded at.
    [ValidateRange(1, 100)] [int] $JpegQuality = 10,

    # Where the dataset, the store and the reports go.
    [string] $OutputDirectory = (Join-Path $PSScriptRoot '../out/demo'),

    # Who is who: a CSV of path,identity (optionally x, y, width, height naming one face), as New-FaceCrop
    # -IdentityMap reads it. Default with the sample photos: the by-eye labels in demo-identities.csv.
    # Without one, each detected face is its own identity.
    [string] $IdentityMap,

    # Faces smaller than this (pixels, box side) are left out: too small to be a fair test.
    [int] $MinimumFaceSize = 40,

    [int] $BootstrapSamples = 500,

    # The module (default: the one build.ps1 staged).
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/InsightFaceEval/InsightFaceEval.psd1')
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$clock = [Diagnostics.Stopwatch]::StartNew()
function Write-Step([string] $Text) { Write-Host ('[{0,5:0.0}s] {1}' -f $clock.Elapsed.TotalSeconds, $Text) }

if (Test-Path -LiteralPath $ModulePath) { $ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path }
Import-Module $ModulePath -Force
$repository = Split-Path $PSScriptRoot -Parent
if (-not $PhotoPath) {
    $PhotoPath = @(Join-Path $repository '.cache/assets/face-api/demo/sample*.jpg')
    if (-not $IdentityMap) { $IdentityMap = Join-Path $PSScriptRoot 'demo-identities.csv' }
}
$mapped = @{}
if ($IdentityMap) { $mapped['IdentityMap'] = $IdentityMap }
$photos = @(Get-ChildItem -Path $PhotoPath -File | Sort-Object Name)
if ($photos.Count -eq 0) { throw "No photos at '$($PhotoPath -join ', ')'. Run: dotnet pwsh ./build.ps1 -Task Fetch" }

if (Test-Path $OutputDirectory) { Remove-Item $OutputDirectory -Recurse -Force }
$null = New-Item -ItemType Directory -Path $OutputDirectory -Force
$OutputDirectory = (Resolve-Path $OutputDirectory).Path
$staging = Join-Path $OutputDirectory 'crops'
$dataset = Join-Path $OutputDirectory 'dataset'
$store = Join-Path $OutputDirectory 'store'
$reports = Join-Path $OutputDirectory 'reports'

function Start-DemoEndpoint {
    <#
        The rehearsal server: the local endpoint (same protocol as the hosted one) serving the sample
        recogniser under two names. This is the only step that needs the local endpoint's real-model
        mode: '--models name=<recogniser.onnx>;normalization=faceplugin' and, for the second name, ';jpeg=<quality>'.
    #>
    $dll = Join-Path $repository 'out/LocalEndpoint/InsightFaceEval.LocalEndpoint.dll'
    $onnx = Join-Path $repository '.cache/assets/faceplugin/model/fr_feature.onnx'
    foreach ($file in $dll, $onnx) {
        if (-not (Test-Path $file)) { throw "'$file' is missing. Run: dotnet pwsh ./build.ps1 -Task Build, Fetch" }
    }
    # normalization=faceplugin: the sample recogniser's own pixel convention ((x - 127) / 128, from its fr_feature.js).
    $models = "$($Model[0])=$onnx;normalization=faceplugin,$($Model[1])=$onnx;normalization=faceplugin;jpeg=$JpegQuality"
    $log = Join-Path $OutputDirectory 'endpoint.log'
    $err = Join-Path $OutputDirectory 'endpoint.err'
    $dotnet = (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source
    # Start-Process joins the arguments with spaces: quote the paths, which may hold one (C:\Users\Jane Doe\...).
    $process = Start-Process -FilePath $dotnet -PassThru -NoNewWindow -RedirectStandardOutput $log -RedirectStandardError $err `
        -ArgumentList @("`"$dll`"", '--urls', 'http://127.0.0.1:0', '--parent-pid', $PID, '--models', "`"$models`"")
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ($true) {
        $text = Get-Content -LiteralPath $log -Raw -ErrorAction SilentlyContinue
        if ($text -match 'Listening on (http://\S+)') {
            return [pscustomobject]@{ Process = $process; Url = $Matches[1].TrimEnd('/') + '/v1/extract' }
        }
        if ($process.HasExited) { throw "The local endpoint stopped (exit code $($process.ExitCode)): $(Get-Content -LiteralPath $err -Raw)" }
        if ([DateTime]::UtcNow -gt $deadline) { $process.Kill(); throw 'The local endpoint did not start within 60 s.' }
        Start-Sleep -Milliseconds 100
    }
}

function Save-MirroredCopy([string] $Source, [string] $Destination) {
    # Dataset preparation, not evaluation: a mirrored capture of a crop, saved losslessly. ImageSharp
    # ships with the module.
    $image = [SixLabors.ImageSharp.Image]::Load($Source)
    try {
        $flip = [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
            param($context)
            $null = [SixLabors.ImageSharp.Processing.FlipExtensions]::Flip($context, [SixLabors.ImageSharp.Processing.FlipMode]::Horizontal)
        }
        [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Mutate($image, $flip)
        [SixLabors.ImageSharp.ImageExtensions]::SaveAsPng($image, $Destination)
    }
    finally { $image.Dispose() }
}

$endpoint = $null
try {
    # 1. Detect faces on this machine; keep the clearly visible ones.
    Write-Step "Finding faces in $($photos.Count) photos"
    $faces = @($photos | Find-Face | Where-Object { [Math]::Min($_.BoundingBox[2], $_.BoundingBox[3]) -ge $MinimumFaceSize })
    Write-Step "$($faces.Count) faces of at least $MinimumFaceSize px"

    # 2. Crop every face three times, with different margins (New-FaceCrop writes lossless PNGs).
    $margins = [ordered]@{ 'margin05' = 0.05; 'margin20' = 0.2; 'margin40' = 0.4 }
    $crops = foreach ($name in $margins.Keys) {
        $faces | New-FaceCrop -OutputDirectory (Join-Path $staging $name) -ExpansionFactor $margins[$name] @mapped |
            ForEach-Object { $_ | Add-Member -NotePropertyName Capture -NotePropertyValue $name -PassThru }
    }

    # 3. Identity folders: one per person (from the identity map; else one per detected face), each face's captures inside.
    foreach ($crop in $crops) {
        $face = '{0}-face{1:d2}' -f [IO.Path]::GetFileNameWithoutExtension($crop.SourcePath), $crop.FaceIndex
        $identity = if ($IdentityMap) { $crop.Identity } else { $face }
        $folder = Join-Path $dataset $identity
        $null = New-Item -ItemType Directory -Path $folder -Force
        Copy-Item -LiteralPath $crop.Path -Destination (Join-Path $folder "$face-$($crop.Capture).png")
        if ($crop.Capture -eq 'margin20') { Save-MirroredCopy $crop.Path (Join-Path $folder "$face-mirrored.png") }
    }
    $images = @(Get-ChildItem $dataset -Recurse -Filter *.png | Sort-Object FullName)
    Write-Step "Dataset: $(@(Get-ChildItem $dataset -Directory).Count) identities, $($images.Count) images in $dataset"

    # 4. The endpoint: yours, or the local rehearsal server.
    if (-not $ServerUrl) {
        Write-Step "Starting the local endpoint: '$($Model[0])' lossless, '$($Model[1])' re-encodes uploads as JPEG q$JpegQuality"
        $endpoint = Start-DemoEndpoint
        $ServerUrl = $endpoint.Url
    }

    # 5. Embeddings (stored, resumable), pairs, metrics, reports.
    Write-Step "Extracting embeddings: $($images.Count) images x $($Model.Count) models"
    # A crop in which a model finds no face is data, not a failure: it counts in that model's FTA.
    $embeddings = @($images | Get-FaceEmbedding -Model $Model -ServerUrl $ServerUrl -OutputDirectory $store -DatasetRoot $dataset `
            -ErrorAction SilentlyContinue -ErrorVariable extractErrors)
    $other = @($extractErrors | Where-Object { $_.FullyQualifiedErrorId -notlike '*NoFace*' })
    if ($other.Count -gt 0) { throw $other[0] }
    foreach ($group in $embeddings | Group-Object Model) {
        $noFace = @($group.Group | Where-Object { "$($_.Status)" -ne 'Success' }).Count
        Write-Step "$($group.Name): $($group.Count) images, no face found in $noFace"
    }
    # Every pair scored, then measured. Each comparison says which side had no face, so the metrics still
    # know each model's failures to acquire. Tee-Object keeps the pairs for the CSV below.
    Write-Step 'Scoring every pair and measuring verification'
    $results = @($embeddings | Compare-FaceEmbedding -Protocol AllPairs | Tee-Object -Variable comparisons |
            Measure-FaceVerification -BootstrapSamples $BootstrapSamples)
    # Every pair's score, for anyone who wants to look at single pairs (a spreadsheet opens it).
    $scores = Join-Path $reports 'pair-scores.csv'
    $null = New-Item -ItemType Directory -Path $reports -Force
    $comparisons | Select-Object Model, ReferenceRelativePath, DifferenceRelativePath, IsGenuine, Similarity, Status, ReferenceStatus, DifferenceStatus |
        Export-Csv -LiteralPath $scores -NoTypeInformation -Encoding UTF8
    $html = Join-Path $reports 'demo-report.html'
    $json = Join-Path $reports 'demo-report.json'
    $results | Export-FaceEvaluationReport -Path $html, $json -EmbeddingStorePath $store -Title 'InsightFaceEval demo: lossless vs re-encoded uploads' `
        -Metadata ([ordered]@{
            'Photos'             = ($photos.Name -join ', ')
            'Captures per face'  = 'crops with expansion 0.05, 0.2 and 0.4, and a mirrored copy of the 0.2 crop'
            'Identities'         = if ($IdentityMap) { "from $(Split-Path $IdentityMap -Leaf) (labelled by eye)" } else { 'one per detected face' }
            'Crop max side'      = 256
            'Models'             = if ($endpoint) { "$($Model[0]): lossless PNG; $($Model[1]): uploads re-encoded as JPEG q$JpegQuality (local endpoint, sample recogniser)" } else { $Model -join ', ' }
        }) `
        -Note 'Genuine pairs are two captures (different margins, or mirrored) of the same photograph of a face, plus, where the identity map names one person in two photos (the sample photos: one person, 16 pairs), captures of two different photos. Impostor pairs are two different people. The numbers show the pipeline working on real faces and the cost of lossy re-encoding; with so few cross-photo pairs they do not measure accuracy across different photos of one person.'

    Write-Host ''
    # The verdict first: which model to pick, and why (decided at system level, where failed images count).
    $verdict = @($results | Where-Object { $_ -is [InsightFaceEval.VerificationResult] })[0].Recommendation
    if ($verdict) { Write-Host "Recommendation: $verdict" }
    $results | Out-String -Width 160 | Out-Host
    Write-Host "HTML report: $html"
    Write-Host "JSON report: $json"
    Write-Host "Pair scores: $scores"
    Write-Step 'Done'
}
finally {
    if ($endpoint -and -not $endpoint.Process.HasExited) {
        $endpoint.Process.Kill()
        $null = $endpoint.Process.WaitForExit(10000)
        Write-Step 'Stopped the local endpoint'
    }
}
