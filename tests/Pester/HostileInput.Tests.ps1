# Issue 12: files that try to hurt the user. Images whose header lies about their size or that end early,
# special files (a FIFO, a link to /dev/zero), ONNX Runtime's telemetry, and a seeded fuzz run of mutated
# images through New-FaceCrop and Find-Face. Anything that could hang runs in a child pwsh with a deadline.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:root = Get-TestRepositoryRoot
    . (Join-Path $script:root 'build/Assets.ps1')
    $script:assets = Get-TestAssets -CacheDirectory (Join-Path $script:root '.cache')
    $script:onWindows = [System.Runtime.InteropServices.RuntimeInformation]::IsOSPlatform([System.Runtime.InteropServices.OSPlatform]::Windows)

    function Get-Crc32([byte[]] $Bytes) {
        [long] $crc = 4294967295
        foreach ($b in $Bytes) {
            $crc = $crc -bxor [long]$b
            for ($k = 0; $k -lt 8; $k++) {
                if ($crc -band 1) { $crc = ($crc -shr 1) -bxor [long]3988292384 } else { $crc = $crc -shr 1 }
            }
        }
        [uint32]($crc -bxor [long]4294967295)
    }

    function New-PngChunk([string] $Type, [byte[]] $Data) {
        $typeBytes = [Text.Encoding]::ASCII.GetBytes($Type)
        $length = [BitConverter]::GetBytes([uint32]$Data.Length); [Array]::Reverse($length)
        $crc = [BitConverter]::GetBytes([uint32](Get-Crc32 ($typeBytes + $Data))); [Array]::Reverse($crc)
        $length + $typeBytes + $Data + $crc
    }

    function New-LyingPng([string] $Path, [int] $Width, [int] $Height) {
        # A few hundred bytes whose header declares Width x Height RGB pixels.
        $w = [BitConverter]::GetBytes([uint32]$Width); [Array]::Reverse($w)
        $h = [BitConverter]::GetBytes([uint32]$Height); [Array]::Reverse($h)
        $ihdr = $w + $h + [byte[]](8, 2, 0, 0, 0)
        $idat = [byte[]](0x78, 0x9C) + [byte[]]::new(200)
        $bytes = [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A) + (New-PngChunk 'IHDR' $ihdr) + (New-PngChunk 'IDAT' $idat) + (New-PngChunk 'IEND' ([byte[]]@()))
        [IO.File]::WriteAllBytes($Path, [byte[]]$bytes)
    }

    function Invoke-BoundedChild {
        <# Runs a script in a fresh pwsh with the module imported; returns its JSON output, or throws when it hangs. #>
        param([string] $Command, [int] $TimeoutSeconds = 120, [hashtable] $Environment = @{})
        $text = "`$ProgressPreference = 'SilentlyContinue'`nImport-Module '$($script:manifest)'`n" + $Command
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($text))
        [string[]] $shell = Get-TestHostCommand
        $arguments = @($shell | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
        $run = Invoke-TestProcess -FilePath $shell[0] -ArgumentList $arguments -Environment $Environment -TimeoutSeconds $TimeoutSeconds -What 'The child PowerShell'
        if ($run.ExitCode -ne 0) { throw "The child PowerShell failed ($($run.ExitCode)): $($run.StdErr)" }
        $run.StdOut | ConvertFrom-Json
    }

    # A small, real JPEG and PNG to mutate: a face-sized tile of a sample photo.
    $script:work = Join-Path $TestDrive 'hostile'
    $null = New-Item -ItemType Directory -Path $script:work -Force
    $image = [SixLabors.ImageSharp.Image]::Load($script:assets.Photos[0])
    try {
        [SixLabors.ImageSharp.Processing.ProcessingExtensions]::Mutate($image, [Action[SixLabors.ImageSharp.Processing.IImageProcessingContext]] {
                param($context)
                $null = [SixLabors.ImageSharp.Processing.ResizeExtensions]::Resize($context, 480, 270)
            })
        $script:smallJpeg = Join-Path $script:work 'small.jpg'
        $script:smallPng = Join-Path $script:work 'small.png'
        [SixLabors.ImageSharp.ImageExtensions]::SaveAsJpeg($image, $script:smallJpeg)
        [SixLabors.ImageSharp.ImageExtensions]::SaveAsPng($image, $script:smallPng)
    }
    finally { $image.Dispose() }
}

Describe 'Find-Face reads images as New-FaceCrop does (issue 12, item 6)' {
    It 'refuses a tiny PNG that declares 12000x12000 pixels from its header, without decoding it' {
        $bomb = Join-Path $script:work 'bomb.png'
        New-LyingPng $bomb 12000 12000
        (Get-Item $bomb).Length | Should -BeLessThan 1kb
        $faces = @(Find-Face -LiteralPath $bomb, $script:assets.Photos[0] -ErrorVariable errs -ErrorAction SilentlyContinue)
        $faces.Count | Should -Be 3
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'FindFaceImageTooLarge,*'
        $errs[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $errs[0].TargetObject | Should -Be $bomb
        $errs[0].Exception.Message | Should -Match '144,000,000 pixels, above the cap of 100,000,000'
        # The same cap and wording as New-FaceCrop, which also takes -MaxPixels.
        $null = [pscustomobject]@{ Path = $bomb; BoundingBox = 1, 1, 50, 50 } | New-FaceCrop -OutputDirectory (Join-Path $script:work 'crops-bomb') -ErrorVariable cropErrs -ErrorAction SilentlyContinue
        $cropErrs[0].FullyQualifiedErrorId | Should -BeLike 'NewFaceCropImageTooLarge,*'
        $errs[0].Exception.Message | Should -Be $cropErrs[0].Exception.Message
        @(Find-Face -LiteralPath $script:smallJpeg -MaxPixels 1000 -ErrorVariable small -ErrorAction SilentlyContinue).Count | Should -Be 0
        $small[0].FullyQualifiedErrorId | Should -BeLike 'FindFaceImageTooLarge,*'
    }

    It 'reports a photo cut short at <Fraction> of its length as corrupt, as New-FaceCrop does, and finds no faces in it' -ForEach @(
        @{ Fraction = 0.5 }, @{ Fraction = 0.8 }, @{ Fraction = 0.97 }
    ) {
        $bytes = [IO.File]::ReadAllBytes($script:assets.Photos[0])
        $cut = Join-Path $script:work "cut-$Fraction.jpg"
        [IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length * $Fraction))])
        $faces = @(Find-Face -LiteralPath $cut -ErrorVariable errs -ErrorAction SilentlyContinue)
        $faces.Count | Should -Be 0
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'FindFaceCorruptImage,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $null = [pscustomobject]@{ Path = $cut; BoundingBox = 100, 100, 200, 200 } | New-FaceCrop -OutputDirectory (Join-Path $script:work "crops-cut-$Fraction") -ErrorVariable cropErrs -ErrorAction SilentlyContinue
        $cropErrs[0].FullyQualifiedErrorId | Should -BeLike 'NewFaceCropCorruptImage,*'
    }
}

Describe 'Special files (issue 12, item 11)' {
    BeforeAll {
        $script:special = Join-Path $script:work 'special'
        $null = New-Item -ItemType Directory -Path (Join-Path $script:special 'id0') -Force
        if (-not $script:onWindows) {
            & mkfifo (Join-Path $script:special 'id0/fifo.png')
            & mkfifo (Join-Path $script:special 'id0/fifo.npy')
            $null = New-Item -ItemType SymbolicLink -Path (Join-Path $script:special 'id0/zero.png') -Target '/dev/zero'
            $null = New-Item -ItemType SymbolicLink -Path (Join-Path $script:special 'id0/zero.npy') -Target '/dev/zero'
        }
        Copy-Item -LiteralPath $script:smallJpeg -Destination (Join-Path $script:special 'id0/real.jpg')
    }

    It 'New-FaceCrop, Find-Face, Get-FaceEmbedding and Import-FaceEmbedding name a FIFO and a link to /dev/zero NotARegularFile, and go on' {
        if ($script:onWindows) { Set-ItResult -Skipped -Because 'FIFOs and /dev/zero are Unix special files'; return }
        $dir = Join-Path $script:special 'id0'
        $model = $script:assets.RecognizerModel
        $out = Join-Path $script:work 'special-out'
        $command = @"
`$dir = '$dir'
`$files = 'fifo.png', 'zero.png', 'real.jpg' | ForEach-Object { Join-Path `$dir `$_ }
`$ids = { param(`$e) @(`$e | ForEach-Object { `$_.FullyQualifiedErrorId.Split(',')[0] + '|' + `$_.TargetObject }) }
`$crops = @(`$files | ForEach-Object { [pscustomobject]@{ Path = `$_; BoundingBox = 10, 10, 100, 100 } } | New-FaceCrop -OutputDirectory '$out/crops' -ErrorVariable c -ErrorAction SilentlyContinue)
`$faces = @(Find-Face -LiteralPath `$files -ErrorVariable f -ErrorAction SilentlyContinue)
`$emb = @(Get-FaceEmbedding -LiteralPath `$files -ModelPath '$model' -Normalization faceplugin -OutputDirectory '$out/store' -ErrorVariable g -ErrorAction SilentlyContinue)
`$imp = @(Import-FaceEmbedding -LiteralPath (Join-Path `$dir 'fifo.npy'), (Join-Path `$dir 'zero.npy') -Model m -ErrorVariable i -ErrorAction SilentlyContinue)
[pscustomobject]@{
    Crops = `$crops.Count; CropErrors = & `$ids `$c
    Faces = `$faces.Count; FindErrors = & `$ids `$f
    Embeddings = @(`$emb | Where-Object Status -EQ 'Success').Count; EmbedErrors = & `$ids `$g
    Imported = `$imp.Count; ImportErrors = & `$ids `$i
} | ConvertTo-Json -Depth 3
"@
        $seen = Invoke-BoundedChild -Command $command -TimeoutSeconds 180
        $seen.Crops | Should -Be 1
        $seen.CropErrors | Should -Be @("NewFaceCropNotARegularFile|$dir/fifo.png", "NewFaceCropNotARegularFile|$dir/zero.png")
        $seen.Faces | Should -BeGreaterThan 0
        $seen.FindErrors | Sort-Object | Should -Be @("FindFaceNotARegularFile|$dir/fifo.png", "FindFaceNotARegularFile|$dir/zero.png")
        $seen.Embeddings | Should -Be 1
        $seen.EmbedErrors | Sort-Object | Should -Be @("GetFaceEmbeddingNotARegularFile|$dir/fifo.png", "GetFaceEmbeddingNotARegularFile|$dir/zero.png")
        $seen.Imported | Should -Be 0
        $seen.ImportErrors | Should -Be @("ImportFaceEmbeddingNotARegularFile|$dir/fifo.npy", "ImportFaceEmbeddingNotARegularFile|$dir/zero.npy")
    }
}

Describe 'ONNX Runtime telemetry (issue 12, item 12)' {
    It 'writes nothing under the user''s home while Find-Face and a local model run' {
        if ($script:onWindows) { Set-ItResult -Skipped -Because 'the check watches $HOME, where ONNX Runtime writes on Linux and macOS (Windows uses ETW, turned off through the same API)'; return }
        $home2 = Join-Path $script:work 'home'
        $null = New-Item -ItemType Directory -Path $home2 -Force
        $out = Join-Path $script:work 'telemetry-out'
        $command = @"
`$faces = @(Find-Face -LiteralPath '$($script:assets.Photos[0])')
`$crops = @(`$faces | New-FaceCrop -OutputDirectory '$out/crops')
`$emb = @(`$crops | Get-FaceEmbedding -ModelPath '$($script:assets.RecognizerModel)' -Normalization faceplugin -OutputDirectory '$out/store')
[pscustomobject]@{ Faces = `$faces.Count; Embeddings = `$emb.Count } | ConvertTo-Json
"@
        $seen = Invoke-BoundedChild -Command $command -TimeoutSeconds 180 -Environment @{ HOME = $home2; XDG_CACHE_HOME = $null; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; POWERSHELL_TELEMETRY_OPTOUT = '1' }
        $seen.Faces | Should -Be 3
        $seen.Embeddings | Should -Be 3
        # PowerShell itself keeps its start-up cache and module folder under HOME; nothing else may appear there.
        $written = @(Get-ChildItem -LiteralPath $home2 -Recurse -Force -File | ForEach-Object { $_.FullName.Substring($home2.Length + 1).Replace('\', '/') } |
                Where-Object { $_ -notmatch '^\.(cache|local/share|config)/powershell/' })
        $written | Should -BeNullOrEmpty
    }
}

Describe 'Mutated JPEGs that trip ImageSharp''s Identify (issue 12, item 10)' {
    It 'reports JPEG mutant <Seed> (ImageSharp throws NullReferenceException reading its header) as a corrupt image' -ForEach @(
        @{ Seed = 465 }, @{ Seed = 1411 }
    ) {
        # The campaign's mutation: 1 to 8 random bytes in the first 4 KB of a sample photo, from a seeded Random.
        $bytes = [IO.File]::ReadAllBytes($script:assets.Photos[0])
        $random = [System.Random]::new($Seed)
        $n = $random.Next(1, 9)
        for ($k = 0; $k -lt $n; $k++) { $bytes[$random.Next(2, 4096)] = [byte]$random.Next(256) }
        $mutant = Join-Path $script:work "mutant-$Seed.jpg"
        [IO.File]::WriteAllBytes($mutant, $bytes)
        $null = [pscustomobject]@{ Path = $mutant; BoundingBox = 100, 100, 200, 200 } | New-FaceCrop -OutputDirectory (Join-Path $script:work "crops-mutant-$Seed") -ErrorVariable cropErrs -ErrorAction SilentlyContinue
        $cropErrs.Count | Should -Be 1
        $cropErrs[0].FullyQualifiedErrorId | Should -BeLike 'NewFaceCropCorruptImage,*'
        $cropErrs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $cropErrs[0].Exception.Message | Should -BeLike "'$mutant' is corrupt or truncated*"
        @(Find-Face -LiteralPath $mutant -ErrorVariable findErrs -ErrorAction SilentlyContinue).Count | Should -Be 0
        $findErrs[0].FullyQualifiedErrorId | Should -BeLike 'FindFaceCorruptImage,*'
    }
}

Describe 'Seeded fuzz: mutated images through New-FaceCrop and Find-Face (issue 12)' {
    It 'answers 300 mutants with specific per-image errors or results: no internal failure, no hang' {
        # Seeded, so a failure names the file that causes it, run after run.
        $fuzz = Join-Path $script:work 'fuzz'
        $null = New-Item -ItemType Directory -Path $fuzz -Force
        $sources = @{ jpg = [IO.File]::ReadAllBytes($script:smallJpeg); png = [IO.File]::ReadAllBytes($script:smallPng) }
        $random = [System.Random]::new(12)
        for ($i = 0; $i -lt 300; $i++) {
            $ext = if ($i % 2) { 'png' } else { 'jpg' }
            $src = $sources[$ext]
            $kind = $random.Next(5)
            switch ($kind) {
                0 { $b = [byte[]]$src.Clone(); for ($k = $random.Next(1, 9); $k -gt 0; $k--) { $b[$random.Next(2, $b.Length)] = [byte]$random.Next(256) } }
                1 { $b = [byte[]]$src.Clone(); for ($k = $random.Next(1, 9); $k -gt 0; $k--) { $b[$random.Next(2, [Math]::Min(1024, $b.Length))] = [byte]$random.Next(256) } }
                2 { $b = [byte[]]::new($random.Next(8, $src.Length)); [Array]::Copy($src, $b, $b.Length) }
                3 {
                    # Garbage spliced in at a random place.
                    $at = $random.Next(8, $src.Length)
                    $junk = [byte[]]::new($random.Next(1, 512)); $random.NextBytes($junk)
                    $b = [byte[]]::new($src.Length + $junk.Length)
                    [Array]::Copy($src, 0, $b, 0, $at); [Array]::Copy($junk, 0, $b, $at, $junk.Length)
                    [Array]::Copy($src, $at, $b, $at + $junk.Length, $src.Length - $at)
                }
                4 {
                    # A slice repeated.
                    $at = $random.Next(8, $src.Length - 64)
                    $len = $random.Next(1, 64)
                    $b = [byte[]]::new($src.Length + $len)
                    [Array]::Copy($src, 0, $b, 0, $at + $len); [Array]::Copy($src, $at, $b, $at + $len, $src.Length - $at)
                }
            }
            [IO.File]::WriteAllBytes((Join-Path $fuzz ('m{0:000}-k{1}.{2}' -f $i, $kind, $ext)), $b)
        }
        $command = @"
`$files = @(Get-ChildItem -LiteralPath '$fuzz' -File | Sort-Object Name | ForEach-Object FullName)
`$describe = { param(`$e) @(`$e | ForEach-Object {
    `$inner = `$_.Exception; while (`$inner.InnerException) { `$inner = `$inner.InnerException }
    [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId.Split(',')[0]; Target = [string]`$_.TargetObject; Inner = `$inner.GetType().Name } }) }
`$watch = [Diagnostics.Stopwatch]::StartNew()
`$terminating = `$null
try {
    `$crops = @(`$files | ForEach-Object { [pscustomobject]@{ Path = `$_; BoundingBox = 40, 30, 120, 140 } } |
        New-FaceCrop -OutputDirectory '$fuzz-crops' -ErrorVariable c -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
    `$cropSeconds = `$watch.Elapsed.TotalSeconds
    `$faces = @(Find-Face -LiteralPath `$files -ErrorVariable f -ErrorAction SilentlyContinue)
}
catch { `$terminating = `$_.Exception.GetType().Name + ': ' + `$_.Exception.Message }
[pscustomobject]@{
    Terminating = `$terminating
    Crops = `$crops.Count; CropErrors = & `$describe `$c; CropSeconds = `$cropSeconds
    Faces = `$faces.Count; FacePaths = @(`$faces | ForEach-Object Path | Sort-Object -Unique); FindErrors = & `$describe `$f; Seconds = `$watch.Elapsed.TotalSeconds
} | ConvertTo-Json -Depth 4
"@
        $seen = Invoke-BoundedChild -Command $command -TimeoutSeconds 150
        $seen.Terminating | Should -BeNullOrEmpty
        $errors = @($seen.CropErrors) + @($seen.FindErrors)
        # Every error names a problem with the image, never an internal failure.
        $allowed = '^(NewFaceCrop|FindFace)(NotAnImage|InvalidImage|UnsupportedFormat|CorruptImage|ImageTooLarge|BoxOutsideImage|EmptyBox)$'
        $internal = @($errors | Where-Object { $_.Id -notmatch $allowed } | ForEach-Object { "$($_.Id) ($($_.Inner)) $($_.Target)" })
        $internal | Should -BeNullOrEmpty
        # Every mutant got an answer from New-FaceCrop: a crop or an error.
        ($seen.Crops + @($seen.CropErrors | Select-Object -ExpandProperty Target -Unique).Count) | Should -BeGreaterOrEqual 300
        # One reading of an image for both cmdlets: no face comes from a file New-FaceCrop refused as unusable.
        $refused = @($seen.CropErrors | Where-Object { $_.Id -match 'NotAnImage|UnsupportedFormat|CorruptImage|ImageTooLarge' } | ForEach-Object Target | Sort-Object -Unique)
        @($seen.FacePaths | Where-Object { $refused -contains $_ }) | Should -BeNullOrEmpty
        # Some mutants are still images and some are not: the run exercised both paths.
        $seen.Crops | Should -BeGreaterThan 0
        @($seen.CropErrors).Count | Should -BeGreaterThan 0
        @($seen.FindErrors).Count | Should -BeGreaterThan 0
        Write-Host ("Fuzz: {0} crops, {1} crop errors, {2} faces, {3} Find-Face errors in {4:0.0} s" -f $seen.Crops, @($seen.CropErrors).Count, $seen.Faces, @($seen.FindErrors).Count, $seen.Seconds)
    }
}
