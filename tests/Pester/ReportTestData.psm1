# Evaluation data for the report and baseline tests: real PNG crops on disk (for thumbnails) with
# embeddings that have identity structure (an identity's vector plus noise), so the metrics the real
# Measure-FaceVerification computes from them are meaningful: less noise, a better model.

Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')

function New-UnitVector([System.Random] $Random, [float[]] $Base, [double] $Noise, [int] $Dimension) {
    $v = [float[]]::new($Dimension)
    $norm = 0.0
    for ($i = 0; $i -lt $Dimension; $i++) {
        # Box-Muller: a seeded normal draw per component.
        $g = [Math]::Sqrt(-2 * [Math]::Log(1 - $Random.NextDouble())) * [Math]::Cos(2 * [Math]::PI * $Random.NextDouble())
        $x = $(if ($Base) { $Base[$i] } else { 0.0 }) + $Noise * $g
        $v[$i] = [float]$x
        $norm += $x * $x
    }
    $norm = [Math]::Sqrt($norm)
    for ($i = 0; $i -lt $Dimension; $i++) { $v[$i] = [float]($v[$i] / $norm) }
    , $v
}

function New-TestImageFiles {
    <#
    .SYNOPSIS
        Writes <Count> small PNG files in identity folders (<Path>/id<k>/<n>.png): tiles of the sample photos when
        they are fetched, else seeded noise. The first -NoFaceCount carry the local stand-in endpoint's no-face
        marker in a PNG text chunk. Uses the ImageSharp the imported module loaded.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [int] $Count,
        [int] $Identities = 10,
        [int] $NoFaceCount = 0,
        [int] $Seed = 5
    )
    $photoDir = Join-Path (Get-TestRepositoryRoot) '.cache/assets/face-api/demo'
    $photos = @(if (Test-Path $photoDir) { Get-ChildItem $photoDir -Filter 'sample*.jpg' | Sort-Object Name | ForEach-Object FullName })
    $random = [System.Random]::new($Seed)
    $marker = [InsightFaceEval.Embedding.DeterministicFaceEmbedder]::NoFaceMarker
    for ($i = 0; $i -lt $Count; $i++) {
        $file = Join-Path $Path ('id{0:d3}/{1:d5}.png' -f ($i % $Identities), $i)
        $null = New-Item -ItemType Directory -Path (Split-Path $file) -Force
        if ($photos.Count) {
            $image = [SixLabors.ImageSharp.Image]::Load($photos[$i % $photos.Count])
            $side = [Math]::Min(160, [Math]::Min($image.Width, $image.Height))
            $rect = [SixLabors.ImageSharp.Rectangle]::new($random.Next($image.Width - $side), $random.Next($image.Height - $side), $side, $side)
            $crop = [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
                param($context)
                $null = [SixLabors.ImageSharp.Processing.CropExtensions]::Crop($context, $rect)
            }.GetNewClosure()
            [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Mutate($image, $crop)
        }
        else {
            $pixels = [byte[]]::new(96 * 112 * 3)
            $random.NextBytes($pixels)
            $image = [SixLabors.ImageSharp.Image]::LoadPixelData[SixLabors.ImageSharp.PixelFormats.Rgb24]($pixels, 96, 112)
        }
        try {
            # Every file differs, even two tiles of the same photo area.
            $image.Metadata.ExifProfile = $null
            if ($i -lt $NoFaceCount) {
                $png = [SixLabors.ImageSharp.MetadataExtensions]::GetPngMetadata($image.Metadata)
                $png.TextData.Add([SixLabors.ImageSharp.Formats.Png.PngTextData]::new('Comment', $marker, '', ''))
            }
            $png = [SixLabors.ImageSharp.MetadataExtensions]::GetPngMetadata($image.Metadata)
            $png.TextData.Add([SixLabors.ImageSharp.Formats.Png.PngTextData]::new('Index', [string]$i, '', ''))
            [SixLabors.ImageSharp.ImageExtensions]::SaveAsPng($image, $file)
        }
        finally { $image.Dispose() }
        Get-Item -LiteralPath $file
    }
}

function New-TestEvaluationSet {
    <#
    .SYNOPSIS
        Writes <Identities> x <PerIdentity> PNG crops under -Path and returns FaceEmbedding objects for each
        model, the noisier models separating identities less well. -NoFaceCount images per model have no face.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [int] $Identities = 12,
        [int] $PerIdentity = 4,
        [System.Collections.IDictionary] $ModelNoise = ([ordered]@{ 'model-a' = 0.05; 'model-b' = 0.09 }),
        [int] $NoFaceCount = 1,
        [int] $Dimension = 64,
        [int] $Seed = 11
    )
    $files = @(New-TestImageFiles -Path $Path -Count ($Identities * $PerIdentity) -Identities $Identities | Sort-Object FullName)
    $random = [System.Random]::new($Seed)
    $bases = @{}
    foreach ($file in $files) {
        $identity = $file.Directory.Name
        if (-not $bases.ContainsKey($identity)) { $bases[$identity] = New-UnitVector $random $null 1.0 $Dimension }
    }
    foreach ($model in $ModelNoise.Keys) {
        $k = 0
        foreach ($file in $files) {
            $identity = $file.Directory.Name
            $relative = "$identity/$($file.Name)"
            $noFace = $k -lt $NoFaceCount
            $vector = if ($noFace) { [float[]]::new(0) } else { New-UnitVector $random $bases[$identity] ($ModelNoise[$model]) $Dimension }
            $status = if ($noFace) { [InsightFaceEval.EmbeddingStatus]::NoFace } else { [InsightFaceEval.EmbeddingStatus]::Success }
            [InsightFaceEval.FaceEmbedding]::new($file.FullName, $relative, $identity, $model, $vector, $status, $null, $null, [TimeSpan]::Zero, $false)
            $k++
        }
    }
}

Export-ModuleMember -Function New-TestEvaluationSet, New-TestImageFiles
