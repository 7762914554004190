BeforeDiscovery {
    # Counted by looking at each photo once; every face listed is unobstructed and at least ~150 px high.
    $script:photoCases = @(
        @{ Photo = 1; Expected = 3; Reason = 'three women at a table, all facing the camera' }
        @{ Photo = 2; Expected = 3; Reason = 'three women on a sofa: one in three-quarter profile, two looking down' }
        @{ Photo = 3; Expected = 3; Reason = 'three women on a sofa facing the camera' }
        @{ Photo = 4; Expected = 4; Reason = 'four women standing in a row, one head turned' }
        @{ Photo = 5; Expected = 5; Reason = 'five women on a staircase at two heights' }
        @{ Photo = 6; Expected = 4; Reason = 'four women standing side by side' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:moduleDir = Split-Path $script:manifest
    $script:root = Get-TestRepositoryRoot
    . (Join-Path $script:root 'build/Assets.ps1')
    # Cached after the first fetch; the Test task's build has fetched already.
    $script:assets = Get-TestAssets -CacheDirectory (Join-Path $script:root '.cache')

}

Describe 'Find-Face on the sample photos' {
    It 'finds the <Expected> clearly visible faces in sample<Photo>.jpg (<Reason>)' -ForEach $script:photoCases {
        $path = $script:assets.Photos[$Photo - 1]
        $faces = @(Find-Face -LiteralPath $path)

        $faces.Count | Should -Be $Expected
        $faces | ForEach-Object { $_ | Should -BeOfType ([InsightFaceEval.DetectedFace]) }
        $faces.FaceIndex | Should -Be (0..($Expected - 1))
        $faces.FaceCount | Sort-Object -Unique | Should -Be $Expected
        # Left to right, as FaceIndex promises.
        $lefts = $faces | ForEach-Object { $_.BoundingBox[0] }
        $lefts | Should -Be ($lefts | Sort-Object)
        foreach ($face in $faces) {
            $face.Path | Should -Be (Resolve-Path -LiteralPath $path).ProviderPath
            $face.ImageWidth | Should -Be 1920
            $face.DetectionScore | Should -BeGreaterOrEqual 0.65
            $face.Detector | Should -Be 'fr_detect.onnx'
            $x, $y, $w, $h = $face.BoundingBox
            $w | Should -BeGreaterThan 100
            ($x + $w) | Should -BeLessOrEqual $face.ImageWidth
            ($y + $h) | Should -BeLessOrEqual $face.ImageHeight
            $face.Landmarks.Count | Should -Be 10
            for ($i = 0; $i -lt 10; $i += 2) {
                $face.Landmarks[$i] | Should -BeGreaterOrEqual $x
                $face.Landmarks[$i] | Should -BeLessOrEqual ($x + $w)
                $face.Landmarks[$i + 1] | Should -BeGreaterOrEqual $y
                $face.Landmarks[$i + 1] | Should -BeLessOrEqual ($y + $h)
            }
        }
    }

    It 'takes wildcards by -Path and Get-ChildItem output by -LiteralPath, in input order' {
        $byWildcard = @(Find-Face -Path (Join-Path $script:assets.PhotoDirectory 'sample?.jpg'))
        $byPipeline = @(Get-ChildItem -LiteralPath $script:assets.PhotoDirectory -Filter 'sample*.jpg' | Sort-Object Name | Find-Face -ThrottleLimit 2)

        $byWildcard.Count | Should -Be 22
        $byPipeline.Count | Should -Be 22
        ($byPipeline | ForEach-Object { Split-Path $_.Path -Leaf } | Select-Object -Unique) | Should -Be (1..6 | ForEach-Object { "sample$_.jpg" })
        for ($i = 0; $i -lt 22; $i++) {
            $byPipeline[$i].BoundingBox | Should -Be $byWildcard[$i].BoundingBox
        }
    }

    It 'formats as a table with one row per face' {
        $text = Find-Face -LiteralPath $script:assets.Photos[0] | Out-String
        $text | Should -Match 'Image\s+Face\s+Score'
        $text | Should -Match 'sample1\.jpg\s+1/3'
    }

    It 'reports boxes in the upright image when the file carries an EXIF orientation' {
        $rotated = Join-Path $TestDrive 'sideways.jpg'
        $image = [SixLabors.ImageSharp.Image]::Load($script:assets.Photos[0])
        try {
            # Stored turned a quarter left, tagged "rotate 90 degrees clockwise to view" (6), as a phone stores a portrait shot.
            [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Mutate($image, [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
                    param($context)
                    $null = [SixLabors.ImageSharp.Processing.RotateExtensions]::Rotate($context, [SixLabors.ImageSharp.Processing.RotateMode]::Rotate270)
                })
            $image.Metadata.ExifProfile = [SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile]::new()
            $image.Metadata.ExifProfile.SetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Orientation, [uint16] 6)
            [SixLabors.ImageSharp.ImageExtensions]::SaveAsJpeg($image, $rotated)
        }
        finally {
            $image.Dispose()
        }

        $upright = @(Find-Face -LiteralPath $script:assets.Photos[0])
        $faces = @(Find-Face -LiteralPath $rotated)

        $faces.Count | Should -Be 3
        $faces[0].ImageWidth | Should -Be 1920
        $faces[0].ImageHeight | Should -Be 1280
        for ($i = 0; $i -lt 3; $i++) {
            for ($k = 0; $k -lt 4; $k++) {
                # The re-encode moves boxes by a pixel or two, a sideways reading by hundreds.
                [math]::Abs($faces[$i].BoundingBox[$k] - $upright[$i].BoundingBox[$k]) | Should -BeLessThan 8
            }
        }
    }
}

Describe 'Find-Face errors' {
    It 'reports a missing file and a file that is not an image, and goes on with the rest' {
        $notImage = Join-Path $TestDrive 'notes.jpg'
        Set-Content -LiteralPath $notImage -Value 'not a picture' -Encoding UTF8
        $missing = Join-Path $TestDrive 'missing.jpg'

        $faces = @(Find-Face -LiteralPath $notImage, $missing, $script:assets.Photos[0] -ErrorVariable problems -ErrorAction SilentlyContinue)

        $faces.Count | Should -Be 3
        $problems.Count | Should -Be 2
        $invalid = $problems | Where-Object { $_.FullyQualifiedErrorId -like 'FindFaceInvalidImage,*' }
        $invalid.CategoryInfo.Category | Should -Be 'InvalidData'
        $invalid.TargetObject | Should -Be $notImage
        $notFound = $problems | Where-Object { $_.FullyQualifiedErrorId -like 'FindFaceFileNotFound,*' }
        $notFound.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $notFound.TargetObject | Should -Be $missing
    }

    It 'stops with <ErrorId> when <Case>' -ForEach @(
        @{ Case = 'the detector is a recognition model'; ErrorId = 'FindFaceDetectorUnknownLayout'; Category = 'InvalidData'; Parameter = 'DetectorPath'; Model = 'fr_feature.onnx'; Message = "outputs 'scores' [1,N,2] and 'boxes' [1,N,4] (Ultra-Light), or 6 or 9 outputs (SCRFD" }
        @{ Case = 'the landmark model is a recognition model'; ErrorId = 'FindFaceLandmarkModelMismatch'; Category = 'InvalidData'; Parameter = 'LandmarkPath'; Model = 'fr_feature.onnx'; Message = '[1,136] (68 points)' }
        @{ Case = 'the detector is not an ONNX model'; ErrorId = 'FindFaceDetectorUnreadable'; Category = 'InvalidData'; Parameter = 'DetectorPath'; Model = '../LICENSE'; Message = 'is not an ONNX model' }
        @{ Case = 'the detector does not exist'; ErrorId = 'FindFaceDetectorNotFound'; Category = 'ObjectNotFound'; Parameter = 'DetectorPath'; Model = 'nothing-here.onnx'; Message = 'does not exist' }
    ) {
        $modelPath = Join-Path $script:assets.ModelDirectory $Model
        $arguments = @{ LiteralPath = $script:assets.Photos[0]; $Parameter = $modelPath; ErrorAction = 'Stop' }
        $thrown = { Find-Face @arguments } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $thrown.CategoryInfo.Category | Should -Be $Category
        $thrown.Exception.Message | Should -Match ([regex]::Escape($Message))
    }

    It 'refuses thresholds outside their range' {
        { Find-Face -LiteralPath $script:assets.Photos[0] -ConfidenceThreshold 1.5 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,InsightFaceEval.Commands.FindFaceCommand'
    }

    It 'stops promptly when the pipeline is stopped (Ctrl+C)' {
        $ps = [powershell]::Create()
        try {
            $photos = @(1..40 | ForEach-Object { $script:assets.Photos[4] })
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $script:manifest).AddStatement()
            $null = $ps.AddCommand('Find-Face').AddParameter('LiteralPath', $photos).AddParameter('ThrottleLimit', 2)
            $inputs = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $inputs.Complete()
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $async = $ps.BeginInvoke($inputs, $output)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($output.Count -eq 0 -and -not $async.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $ps.Stop()

            $ps.InvocationStateInfo.Reason | Should -BeOfType ([System.Management.Automation.PipelineStoppedException])
            # PowerShell records the stop itself; anything else would be the cmdlet failing on the way out.
            $ps.Streams.Error | Where-Object FullyQualifiedErrorId -NE 'PipelineStopped' | Should -BeNullOrEmpty
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $output.Count | Should -BeGreaterThan 0
            # 40 images hold 200 faces; stopping after the first leaves most of them unsearched.
            $output.Count | Should -BeLessThan 200
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Find-Face and ONNX Runtime' {
    It 'loads ONNX Runtime only when a local-model feature runs, from the module''s runtimes folder' {
        $result = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
$(Get-OnnxStateFunction)
Import-Module '$($script:manifest)'
`$null = Get-Command -Module InsightFaceEval
`$null = Get-Help Find-Face -Full
`$before = Get-OnnxState
`$faces = @(Find-Face -LiteralPath '$($script:assets.Photos[0])')
[pscustomobject]@{ Before = `$before; After = Get-OnnxState; Faces = `$faces.Count } | ConvertTo-Json -Depth 4 -Compress
"@
        $result.Before.Managed | Should -BeFalse
        $result.Before.Native | Should -BeNullOrEmpty
        $result.Faces | Should -Be 3
        $result.After.Managed | Should -BeTrue
        # One native library, the module's own for this system.
        $result.After.Native | Should -Be (Join-Path $script:moduleDir (Get-OnnxNativeRelativePath))
    }

    It 'says which native library is missing when the module lacks it' {
        $copy = Join-Path $TestDrive 'NoNative/InsightFaceEval'
        $null = New-Item -ItemType Directory -Path $copy -Force
        Get-ChildItem -LiteralPath $script:moduleDir | Where-Object Name -NE 'runtimes' | Copy-Item -Destination $copy -Recurse
        $result = Invoke-ChildPwsh @"
Import-Module '$(Join-Path $copy 'InsightFaceEval.psd1')'
try { Find-Face -LiteralPath '$($script:assets.Photos[0])' -ErrorAction Stop; 'no error' | ConvertTo-Json }
catch { [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId; Category = `$_.CategoryInfo.Category.ToString(); Message = `$_.Exception.Message } | ConvertTo-Json }
"@
        $result.Id | Should -BeLike 'FindFaceOnnxRuntimeUnavailable,*'
        $result.Category | Should -Be 'NotInstalled'
        $result.Message | Should -BeLike ('*' + [IO.Path]::Combine('runtimes', '*', 'native', '*onnxruntime*') + '*')
    }

    It 'ships the default models with their source and licence, and the help names them' {
        Join-Path $script:moduleDir 'models/fr_detect.onnx' | Should -Exist
        Join-Path $script:moduleDir 'models/fr_landmark.onnx' | Should -Exist
        $notice = Get-Content -LiteralPath (Join-Path $script:moduleDir 'models/NOTICE.txt') -Raw
        $notice | Should -Match 'faceplugin-face-recognition-js@0\.0\.1'
        $notice | Should -Match 'MIT License'
        $help = Get-Help Find-Face -Full | Out-String
        $help | Should -Match 'faceplugin-face-recognition-js@0\.0\.1'
        $help | Should -Match 'MIT License'
    }
}
